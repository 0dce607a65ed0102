package partner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID int64
	// Attempts counts the attempts begun, the current one included.
	Attempts      int
	CreatedAt     time.Time
	NextAttemptAt time.Time
	LeasedUntil   time.Time // zero when unclaimed
	DeliveredAt   time.Time // zero until a 2xx
	FailedAt      time.Time // zero unless the hub gave up
	LastStatus    int       // the receiver's last HTTP status; 0 when none came
	LastError     string    // what went wrong last, in the hub's words
	WebhookID     string
	URL           string
	Secret        string // the whsec_ secret, opened for the send; empty in lists
	Event         Event
}

// Failure is the outcome of a failed attempt.
type Failure struct {
	Status int    // HTTP status, or 0 when no answer came
	Error  string // in the hub's words; never the URL or the receiver's body
	Next   time.Time
	// GiveUp ends the delivery and pauses its webhook, with Pause as the reason.
	GiveUp bool
	Pause  string
}

// Deliveries is the store side of the worker; *store.DB satisfies it.
type Deliveries interface {
	// ClaimDeliveries leases up to limit due deliveries of webhooks that are
	// not paused, counts an attempt on each, and returns them with their
	// webhook's URL and secret.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// DeliveryDone records a 2xx answer.
	DeliveryDone(ctx context.Context, id int64, now time.Time, status int) error
	// DeliveryFailed records a failed attempt and when to try again, or that
	// the hub gave up and paused the webhook.
	DeliveryFailed(ctx context.Context, id int64, now time.Time, f Failure) error
}

// retrySchedule is the wait after each failed attempt: the first three
// attempts fall within a minute, later ones back off to an hour.
var retrySchedule = []time.Duration{5 * time.Second, 20 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute}

// MaxRetryWait caps the wait between two attempts.
const MaxRetryWait = time.Hour

// RetryWait is how long to wait after the attempt-th failed attempt (from 1).
func RetryWait(attempt int) time.Duration {
	if attempt >= 1 && attempt <= len(retrySchedule) {
		return retrySchedule[attempt-1]
	}
	return MaxRetryWait
}

// WorkerOptions tune a Worker; the zero value of each field takes its default.
type WorkerOptions struct {
	Now func() time.Time // time.Now
	Log *slog.Logger     // slog.Default()
	// Poll is how often due deliveries are looked for; 1s.
	Poll time.Duration
	// GiveUpAfter is how long a delivery is retried before the hub gives up
	// and pauses the webhook; 25h, so that retries span at least a day.
	GiveUpAfter time.Duration
	// Batch is how many deliveries one pass claims; 10.
	Batch int
	// Client sends the deliveries; NewClient with its defaults.
	Client *http.Client
	// URLs are checked again before each send, so that a webhook registered
	// in development is not called over http once development sign-in is off.
	URLs URLRules
}

// Worker delivers webhooks: it claims due deliveries, signs and sends each,
// and records the outcome. Several workers may share the table: a claim is
// a lease.
type Worker struct {
	store Deliveries
	o     WorkerOptions
	lease time.Duration
	wake  chan struct{}
}

// NewWorker returns a worker over the store's deliveries.
func NewWorker(store Deliveries, o WorkerOptions) *Worker {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = 25 * time.Hour
	}
	if o.Batch < 1 {
		o.Batch = 10
	}
	if o.Client == nil {
		o.Client = NewClient(ClientRules{})
	}
	timeout := o.Client.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	// The lease outlasts the sends of a whole batch.
	return &Worker{store: store, o: o, lease: time.Duration(o.Batch+1) * timeout, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for due deliveries now, for instance when an
// event was just recorded. It never blocks. A wake that comes before the
// event's transaction commits is still in time: the claim is a write, and
// waits for the writer.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, looking for due deliveries at every poll, at
// every Wake, and again at once while passes come back full.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.o.Poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := w.DeliverDue(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.o.Log.Error("webhooks: claiming deliveries failed", "error", err.Error())
				}
				break
			}
			if n < w.o.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// DeliverDue makes one pass: it claims a batch of due deliveries and tries
// each once. It returns how many it claimed.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	claimed, err := w.store.ClaimDeliveries(ctx, w.o.Now(), w.lease, w.o.Batch)
	if err != nil {
		return 0, err
	}
	for _, d := range claimed {
		if ctx.Err() != nil {
			break
		}
		w.deliver(ctx, d)
	}
	return len(claimed), nil
}

// deliver sends one delivery and records the outcome.
func (w *Worker) deliver(ctx context.Context, d Delivery) {
	status, retryAfter, sendErr := w.send(ctx, d)
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := w.o.Now()
	if sendErr == nil {
		if err := w.store.DeliveryDone(mctx, d.ID, now, status); err != nil {
			w.o.Log.Error("webhooks: recording a delivery failed; it may be sent again", "delivery", d.ID, "error", err.Error())
		}
		return
	}
	wait := max(RetryWait(d.Attempts), min(retryAfter, MaxRetryWait))
	f := Failure{Status: status, Error: sendErr.Error(), Next: now.Add(wait)}
	switch {
	case status == http.StatusGone:
		f.GiveUp, f.Pause = true, "the receiver answered 410 Gone"
	case now.Sub(d.CreatedAt) >= w.o.GiveUpAfter:
		f.GiveUp, f.Pause = true, "deliveries failed for "+w.o.GiveUpAfter.String()
	}
	if err := w.store.DeliveryFailed(mctx, d.ID, now, f); err != nil {
		w.o.Log.Error("webhooks: recording a failed delivery failed", "delivery", d.ID, "error", err.Error())
		return
	}
	if f.GiveUp {
		// The administrator's page shows the pause; this line is for the
		// operator's alerting. Neither names the URL.
		w.o.Log.Error("webhooks: webhook paused after repeated failures; an administrator must resume it",
			"webhook", d.WebhookID, "agency", d.Event.Agency, "reason", f.Pause, "attempts", d.Attempts)
		return
	}
	w.o.Log.Warn("webhooks: delivery failed; will retry", "delivery", d.ID, "webhook", d.WebhookID,
		"attempts", d.Attempts, "status", status, "next_attempt", f.Next)
}

// send makes one signed POST. It returns the HTTP status (0 without an
// answer), a Retry-After the receiver asked for, and an error in the hub's
// own words unless the answer was a 2xx.
func (w *Worker) send(ctx context.Context, d Delivery) (int, time.Duration, error) {
	body := d.Event.Body()
	at := w.o.Now()
	sig, err := Sign(d.Secret, d.Event.ID, at, body)
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, errors.New("the webhook's URL cannot be used")
	}
	if msg := CheckURL(d.URL, w.o.URLs); msg != "" {
		return 0, 0, errors.New(msg)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hub-webhooks/1")
	req.Header.Set("webhook-id", d.Event.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.o.Client.Do(req)
	if err != nil {
		return 0, 0, sendError(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	var retryAfter time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, retryAfter, errors.New("the receiver answered with a redirect (HTTP " + strconv.Itoa(resp.StatusCode) + "), which is not followed: update the webhook's URL")
	}
	return resp.StatusCode, retryAfter, errors.New("the receiver answered HTTP " + strconv.Itoa(resp.StatusCode))
}

// sendError words a transport error without the URL, which may carry a
// partner's token.
func sendError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, ErrAddressRefused):
		return ErrAddressRefused
	case errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()):
		return errors.New("the receiver did not answer in time")
	}
	return errors.New("could not reach the receiver: " + err.Error())
}
