package watch

import (
	"context"
	"fmt"
)

// The open follow-ups of each incident, as the tracking job (an incident's, whenever one of its
// follow-ups changes) and the reminder pass (a repository's, every pass) last read them from
// GitHub. The metrics are computed from this table at each scrape, so every replica reports the
// same numbers, a follow-up closed on one replica is gone from all of them, and a due date passes
// without any job running (overdue is counted against the scraping replica's date).
const followUpsSchema = `CREATE TABLE IF NOT EXISTS postmortem_followups (
	installation_id BIGINT NOT NULL,
	repo TEXT NOT NULL,
	incident BIGINT NOT NULL,
	number BIGINT NOT NULL,
	due TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (installation_id, repo, number)
)`

// FollowUp is one open follow-up issue.
type FollowUp struct {
	Incident int    // the incident it follows up
	Number   int    // its issue
	Due      string // its due date, YYYY-MM-DD, or "" when it has none
}

// MaxFollowUpSeries bounds the incidents FollowUpCounts returns (the metrics' series): those
// with the most overdue, then the most open, follow-ups first.
const MaxFollowUpSeries = 500

// SetIncidentFollowUps replaces what is known of an incident's open follow-ups with open (none:
// every follow-up is done).
func (s *Store) SetIncidentFollowUps(ctx context.Context, inst int64, repo string, incident int, open []FollowUp) error {
	return s.replaceFollowUps(ctx, `DELETE FROM postmortem_followups WHERE installation_id = $1 AND repo = $2 AND incident = $3`,
		[]any{inst, repo, incident}, inst, repo, open)
}

// SetRepoFollowUps replaces what is known of a repository's open follow-ups with open (the
// reminder pass lists them all).
func (s *Store) SetRepoFollowUps(ctx context.Context, inst int64, repo string, open []FollowUp) error {
	return s.replaceFollowUps(ctx, `DELETE FROM postmortem_followups WHERE installation_id = $1 AND repo = $2`,
		[]any{inst, repo}, inst, repo, open)
}

func (s *Store) replaceFollowUps(ctx context.Context, del string, args []any, inst int64, repo string, open []FollowUp) error {
	tx, err := s.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("follow-ups of %s: %w", repo, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(del), args...); err != nil {
		return fmt.Errorf("follow-ups of %s: %w", repo, err)
	}
	for _, f := range open {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO postmortem_followups (installation_id, repo, incident, number, due)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (installation_id, repo, number) DO UPDATE SET incident = excluded.incident, due = excluded.due`),
			inst, repo, f.Incident, f.Number, f.Due); err != nil {
			return fmt.Errorf("follow-up %s#%d: %w", repo, f.Number, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("follow-ups of %s: %w", repo, err)
	}
	return nil
}

// IncidentFollowUps are an incident's open follow-ups and how many of them are overdue.
type IncidentFollowUps struct {
	Repo          string
	Incident      int
	Open, Overdue int
}

// FollowUpCounts are the incidents with open follow-ups, overdue counting those due before today
// (YYYY-MM-DD): at most MaxFollowUpSeries, the most overdue first.
func (s *Store) FollowUpCounts(ctx context.Context, today string) ([]IncidentFollowUps, error) {
	rows, err := s.db.SQL().QueryContext(ctx, s.q(`SELECT repo, incident, count(*) AS open,
			sum(CASE WHEN due <> '' AND due < $1 THEN 1 ELSE 0 END) AS overdue
		FROM postmortem_followups GROUP BY repo, incident
		ORDER BY overdue DESC, open DESC, repo, incident LIMIT $2`), today, MaxFollowUpSeries)
	if err != nil {
		return nil, fmt.Errorf("follow-up counts: %w", err)
	}
	defer rows.Close()
	var out []IncidentFollowUps
	for rows.Next() {
		var c IncidentFollowUps
		if err := rows.Scan(&c.Repo, &c.Incident, &c.Open, &c.Overdue); err != nil {
			return nil, fmt.Errorf("follow-up counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
