package app

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/postmortem-app/postmortem/app/buildinfo"
	"github.com/postmortem-app/postmortem/app/clock"
	"github.com/postmortem-app/postmortem/app/queue"
	"github.com/postmortem-app/postmortem/app/watch"
)

// The gauges computed from the database at each scrape: the follow-ups open and overdue per
// incident and the queue's depth. Every replica reads the same database, so every replica
// reports the same numbers, whichever ran the jobs, and they are as fresh as the last job that
// read GitHub (not as the last job this replica ran).

// dbTimeout bounds the queries of one scrape.
const dbTimeout = 5 * time.Second

func gaugeDesc(o prometheus.GaugeOpts, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(o.Name, o.Help, labels, nil)
}

var (
	descFollowUpsOpen = gaugeDesc(prometheus.GaugeOpts{
		Name: "postmortem_followups_open",
		Help: "Open follow-up issues of an incident, from the database (as the tracking job and the reminder pass last read them; the same on every replica). At most 500 incidents, the most overdue first.",
	}, "repository", "incident")
	descFollowUpsOverdue = gaugeDesc(prometheus.GaugeOpts{
		Name: "postmortem_followups_overdue",
		Help: "Open follow-up issues of an incident whose due date is before today (the App's clock), from the database; the same on every replica.",
	}, "repository", "incident")
	descQueueJobs = gaugeDesc(prometheus.GaugeOpts{
		Name: "postmortem_queue_jobs",
		Help: "Unfinished jobs in the queue by state (available: ready and waiting for a worker; running; retryable: failed, waiting for their retry; scheduled; pending), from River's job table.",
	}, "state")
	descQueueOldest = gaugeDesc(prometheus.GaugeOpts{
		Name: "postmortem_queue_oldest_job_seconds",
		Help: "How long the oldest available job has been ready and waiting for a worker (0: none waits).",
	})
	descDatabaseUp = gaugeDesc(prometheus.GaugeOpts{
		Name: "postmortem_metrics_database_up",
		Help: "1 when this scrape read the follow-up and queue gauges from the database, 0 when it could not (those series are missing then).",
	})
)

// dbCollector reads the database's gauges at each scrape.
type dbCollector struct {
	watch *watch.Store
	queue *queue.Queue
	now   clock.Func // the App's calendar, for overdue
	log   *slog.Logger
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFollowUpsOpen, descFollowUpsOverdue, descQueueJobs, descQueueOldest, descDatabaseUp} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	up := 1.0
	if c.watch != nil {
		counts, err := c.watch.FollowUpCounts(ctx, c.now().UTC().Format("2006-01-02"))
		if err != nil {
			c.log.Warn("metrics: follow-up gauges not read", "err", err)
			up = 0
		}
		for _, f := range counts {
			inc := strconv.Itoa(f.Incident)
			ch <- prometheus.MustNewConstMetric(descFollowUpsOpen, prometheus.GaugeValue, float64(f.Open), f.Repo, inc)
			ch <- prometheus.MustNewConstMetric(descFollowUpsOverdue, prometheus.GaugeValue, float64(f.Overdue), f.Repo, inc)
		}
	}
	if c.queue != nil {
		d, err := c.queue.Depth(ctx)
		if err != nil {
			c.log.Warn("metrics: queue depth not read", "err", err)
			up = 0
		} else {
			for state, n := range d.Jobs {
				ch <- prometheus.MustNewConstMetric(descQueueJobs, prometheus.GaugeValue, float64(n), state)
			}
			age := 0.0
			if !d.OldestAvailable.IsZero() {
				age = max(time.Since(d.OldestAvailable).Seconds(), 0)
			}
			ch <- prometheus.MustNewConstMetric(descQueueOldest, prometheus.GaugeValue, age)
		}
	}
	ch <- prometheus.MustNewConstMetric(descDatabaseUp, prometheus.GaugeValue, up)
}

// readDatabase adds the gauges computed from the database (the follow-ups wl knows, q's depth)
// to the metrics; now is the App's calendar.
func (m *Metrics) readDatabase(wl *watch.Store, q *queue.Queue, now clock.Func, log *slog.Logger) {
	if m == nil {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m.registry.MustRegister(&dbCollector{watch: wl, queue: q, now: clock.Or(now), log: log})
}

// buildInfo is postmortem_build_info: 1, labelled with the running build.
func buildInfo() prometheus.Collector {
	i := buildinfo.Get()
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "postmortem_build_info",
		Help:        "Always 1; its labels say which build is running (version, commit, Go version).",
		ConstLabels: prometheus.Labels{"version": i.Version, "commit": i.Commit, "goversion": i.GoVersion},
	}, func() float64 { return 1 })
}
