package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store"
)

// Metrics are the hub's Prometheus figures, in a registry of their own:
// requests by route pattern and status, audit batches, database errors,
// and, read at each scrape, the outbox, sessions and the WAL.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	auditBatch prometheus.Histogram
	dbErrors   *prometheus.CounterVec
}

// Gauges are the figures the metrics read from the database at each scrape.
type Gauges interface {
	// OutboxStats counts the outbox at now.
	OutboxStats(ctx context.Context, now time.Time) (notify.OutboxStats, error)
	// CountSessions counts the sessions seen since then.
	CountSessions(ctx context.Context, since time.Time) (int, error)
	// WALSize is the size of the write-ahead log in bytes.
	WALSize() int64
}

// NewMetrics registers the hub's metrics over db; sessions idle longer
// than idle are not counted as live.
func NewMetrics(db Gauges, idle time.Duration) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hub_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status."}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hub_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "hub_http_requests_in_flight", Help: "HTTP requests being answered now."}),
		auditBatch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "hub_audit_batch_entries",
			Help: "Audit entries written by each group commit.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}}),
		dbErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hub_db_errors_total",
			Help: "Database writes that failed: cannot_write (disk full, read-only, locked) or other."}, []string{"kind"}),
	}
	m.dbErrors.WithLabelValues("cannot_write")
	m.registry.MustRegister(m.requests, m.latency, m.inFlight, m.auditBatch, m.dbErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&storeCollector{db: db, idle: idle})
	return m
}

// Hooks are the store's side of the metrics.
func (m *Metrics) Hooks() store.Hooks {
	return store.Hooks{
		AuditBatch: func(n int) { m.auditBatch.Observe(float64(n)) },
		DBError:    func(kind string) { m.dbErrors.WithLabelValues(kind).Inc() },
	}
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// storeCollector reads the figures kept in the database at each scrape.
type storeCollector struct {
	db   Gauges
	idle time.Duration
}

var (
	outboxPendingDesc = prometheus.NewDesc("hub_outbox_pending", "Notifications neither delivered nor given up on.", nil, nil)
	outboxOldestDesc  = prometheus.NewDesc("hub_outbox_oldest_pending_seconds", "Age of the oldest pending notification.", nil, nil)
	outboxFailedDesc  = prometheus.NewDesc("hub_outbox_failed", "Notifications the hub gave up on; an admin can send them again.", nil, nil)
	sessionsDesc      = prometheus.NewDesc("hub_sessions_live", "Browser sessions seen within the idle timeout.", nil, nil)
	walDesc           = prometheus.NewDesc("hub_db_wal_bytes", "Size of the database's WAL file.", nil, nil)
	scrapeErrorsDesc  = prometheus.NewDesc("hub_metrics_store_errors", "1 when the figures read from the database could not be read at this scrape.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxPendingDesc, outboxOldestDesc, outboxFailedDesc, sessionsDesc, walDesc, scrapeErrorsDesc} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	failed := 0.0
	if st, err := c.db.OutboxStats(ctx, now); err == nil {
		ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(st.Pending))
		ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, st.Oldest.Seconds())
		ch <- prometheus.MustNewConstMetric(outboxFailedDesc, prometheus.GaugeValue, float64(st.Failed))
	} else {
		failed = 1
	}
	if n, err := c.db.CountSessions(ctx, now.Add(-c.idle)); err == nil {
		ch <- prometheus.MustNewConstMetric(sessionsDesc, prometheus.GaugeValue, float64(n))
	} else {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(walDesc, prometheus.GaugeValue, float64(c.db.WALSize()))
	ch <- prometheus.MustNewConstMetric(scrapeErrorsDesc, prometheus.GaugeValue, failed)
}

// inFlight is a request being answered, for the log of what a shutdown cut.
type inFlight struct {
	method, route, id string
	start             time.Time
}

// requests keeps the requests being answered.
type requests struct {
	mu  sync.Mutex
	now map[*http.Request]inFlight
}

// observe counts and times every request by route pattern and status, and
// keeps it in the list of requests in flight while it runs.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		r := c.Request()
		s.running.mu.Lock()
		s.running.now[r] = inFlight{method: r.Method, route: route, id: requestID(c), start: start}
		s.running.mu.Unlock()
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			s.running.mu.Lock()
			delete(s.running.now, r)
			s.running.mu.Unlock()
		}()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := strconv.Itoa(c.Response().Status)
		s.metrics.requests.WithLabelValues(r.Method, route, status).Inc()
		s.metrics.latency.WithLabelValues(r.Method, route, status).Observe(time.Since(start).Seconds())
		return nil
	}
}

// InFlight describes the requests being answered now, oldest first, by
// method, route pattern and request id: never by path, which may hold ids.
func (s *Server) InFlight() []string {
	s.running.mu.Lock()
	list := make([]inFlight, 0, len(s.running.now))
	for _, f := range s.running.now {
		list = append(list, f)
	}
	s.running.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].start.Before(list[j].start) })
	out := make([]string, len(list))
	for i, f := range list {
		out[i] = fmt.Sprintf("%s %s (request %s, running %s)", f.method, f.route, f.id, time.Since(f.start).Round(time.Millisecond))
	}
	return out
}

// metricsPage serves /metrics on the main listener to loopback callers
// only, and to nobody when metrics have a listener of their own.
func (s *Server) metricsPage(c echo.Context) error {
	if s.Config.Server.MetricsListen != "" || !fromLoopback(c.Request()) {
		return problem.New(problem.NotFound, "Page not found")
	}
	s.metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// fromLoopback reports whether the request's peer (not any header it
// sent) is this machine.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// profile serves Go's pprof pages under /debug/pprof/ for admins.
func (s *Server) profile(c echo.Context) error {
	ProfileHandler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// ProfileHandler serves Go's pprof pages under /debug/pprof/.
func ProfileHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// MetricsHandler serves /metrics, and /debug/pprof/ when profiles is true,
// for a listener of their own (server.metrics_listen).
func (s *Server) MetricsHandler(profiles bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.metrics.Handler())
	if profiles {
		mux.Handle("/debug/pprof/", ProfileHandler())
	}
	return mux
}
