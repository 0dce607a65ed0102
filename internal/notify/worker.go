package notify

import (
	"context"
	"log/slog"
	"time"
)

// Outbox is the store side the Worker needs; *store.DB satisfies it.
type Outbox interface {
	// ClaimDue leases up to limit notifications that are due and not leased,
	// counts an attempt on each, and returns them.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notification, error)
	// MarkDelivered records that the mail server accepted the notification.
	MarkDelivered(ctx context.Context, id int64, now time.Time) error
	// MarkFailed records a failed attempt and when to try again, or, when
	// final, that the hub has given up.
	MarkFailed(ctx context.Context, id int64, now time.Time, errText string, nextAttempt time.Time, final bool) error
	// ReleaseLease gives back an unused claim, leased until leasedUntil, so
	// that the notification is due again at once.
	ReleaseLease(ctx context.Context, id int64, leasedUntil time.Time) error
}

// leaseMargin is how much longer than one send's timeout a claim lasts:
// enough to record the outcome, short enough that after a crash the
// notification waits well under a minute for another worker.
const leaseMargin = 5 * time.Second

// MaxBackoff caps the wait between two attempts.
const MaxBackoff = time.Hour

// Backoff is how long to wait after the attempt-th failed attempt (from 1):
// base, then doubling, never more than MaxBackoff.
func Backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d > 0 && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// WorkerOptions tune a Worker; the zero value of each field takes its default.
type WorkerOptions struct {
	Now func() time.Time // time.Now
	Log *slog.Logger     // slog.Default()
	// Poll is how often the outbox is checked when nobody calls Wake; 5s.
	Poll time.Duration
	// RetryBase is the wait after the first failure; 30s.
	RetryBase time.Duration
	// MaxAttempts is how many attempts are made before giving up; 12.
	MaxAttempts int
	// Batch is how many notifications one pass delivers, claiming one at a
	// time; 10.
	Batch int
	// SendTimeout bounds one delivery; 30s, as the SMTP client's own.
	SendTimeout time.Duration
}

// Worker delivers the outbox: it claims due notifications, sends each, and
// records the outcome. Several workers may share one outbox: a claim is a
// lease, so two workers never send the same notification. Each claim is
// of one notification and lasts just longer than one send, so that the
// notifications of a worker that died are taken up within a minute; a
// worker that stops gives its claim back.
type Worker struct {
	outbox Outbox
	sender Sender
	o      WorkerOptions
	lease  time.Duration
	wake   chan struct{}
}

// NewWorker returns a worker that sends the outbox's notifications through sender.
func NewWorker(outbox Outbox, sender Sender, o WorkerOptions) *Worker {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 30 * time.Second
	}
	if o.MaxAttempts < 1 {
		o.MaxAttempts = 12
	}
	if o.Batch < 1 {
		o.Batch = 10
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	return &Worker{outbox: outbox, sender: sender, o: o, lease: o.SendTimeout + leaseMargin, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look at the outbox now, for instance just after a
// transaction that enqueued notifications committed. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends: at every poll, at every Wake, and again at once
// while passes come back full.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.o.Poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := w.DeliverDue(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.o.Log.Error("outbox: claiming notifications failed", "error", err.Error())
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

// DeliverDue makes one pass: up to a batch of due notifications, each
// claimed and tried once. It returns how many it claimed; an error is a
// failure of the outbox itself, not of a delivery.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	n := 0
	for n < w.o.Batch && ctx.Err() == nil {
		claimed, err := w.outbox.ClaimDue(ctx, w.o.Now(), w.lease, 1)
		if err != nil || len(claimed) == 0 {
			return n, err
		}
		n++
		if w.o.Now().Add(w.o.SendTimeout).After(claimed[0].LeasedUntil) {
			// The clock jumped: too little of the lease is left to finish a
			// send before another worker may claim it; leave it to that one.
			continue
		}
		w.deliver(ctx, claimed[0])
	}
	return n, nil
}

// deliver sends one notification and records the outcome. A delivery is
// marked even when ctx ends just after the send, so a sent mail is not sent again.
func (w *Worker) deliver(ctx context.Context, n Notification) {
	subject, body := Compose(n.Message)
	sctx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
	sendErr := w.sender.Send(sctx, n.To, subject, body)
	cancel()
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if sendErr != nil && ctx.Err() != nil {
		// Stopping cut the send short: not the mail server's failure. The
		// claim goes back so that the next start sends it at once.
		if err := w.outbox.ReleaseLease(mctx, n.ID, n.LeasedUntil); err != nil {
			w.o.Log.Error("outbox: giving back a claim failed; it runs out by itself", "notification", n.ID, "error", err.Error())
		}
		return
	}
	now := w.o.Now()
	if sendErr == nil {
		if err := w.outbox.MarkDelivered(mctx, n.ID, now); err != nil {
			w.o.Log.Error("outbox: recording a delivery failed; the notification may be sent again", "notification", n.ID, "error", err.Error())
		}
		return
	}
	final := n.Attempts >= w.o.MaxAttempts
	next := now.Add(Backoff(w.o.RetryBase, n.Attempts))
	if err := w.outbox.MarkFailed(mctx, n.ID, now, sendErr.Error(), next, final); err != nil {
		w.o.Log.Error("outbox: recording a failed delivery failed", "notification", n.ID, "error", err.Error())
		return
	}
	// The mail server's answer may name the recipient: it goes to the outbox
	// page for admins, not to the log.
	if final {
		w.o.Log.Error("outbox: gave up on a notification", "notification", n.ID, "kind", string(n.Kind), "attempts", n.Attempts)
	} else {
		w.o.Log.Warn("outbox: delivery failed; will retry", "notification", n.ID, "kind", string(n.Kind), "attempts", n.Attempts, "next_attempt", next)
	}
}
