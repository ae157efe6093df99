package githubsim

import (
	"crypto/rsa"
	"time"
)

type account struct {
	ID        int64
	Login     string
	Type      string // User, Organization, Bot
	Name      string
	Email     string
	SiteAdmin bool
	Members   map[string]string // org: login -> role
	CreatedAt time.Time
}

type app struct {
	ID            int64
	Slug          string
	Name          string
	Description   string
	Owner         *account
	Bot           *account
	Permissions   map[string]string
	Events        []string
	WebhookURL    string
	WebhookSecret string
	Key           *rsa.PrivateKey
	KeyPEM        []byte
	CreatedAt     time.Time
	HookID        int64
}

type installation struct {
	ID          int64
	App         *app
	Account     *account
	Selection   string // all, selected
	RepoIDs     map[int64]bool
	Permissions map[string]string
	Events      []string
	CreatedAt   time.Time
}

type token struct {
	Value       string
	Kind        string // installation, user
	User        *account
	Inst        *installation
	Permissions map[string]string
	RepoIDs     map[int64]bool // nil: all repos of the installation
	ExpiresAt   time.Time
	Scopes      []string
}

type label struct {
	ID          int64
	Name        string
	Color       string
	Description string
	Default     bool
}

type repo struct {
	ID            int64
	Owner         *account
	Name          string
	Description   string
	Private       bool
	DefaultBranch string
	Language      string
	Topics        []string
	Collaborators map[string]bool
	// Roles are repository roles given to people (lower login → read,
	// triage, write, maintain or admin): they override what membership and
	// collaboration give (SetRole).
	Roles     map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
	PushedAt  *time.Time

	objects    objectStore
	refs       map[string]string // full ref name -> sha
	nextNumber int
	issues     map[int]*issue
	labels     []*label
	comments   []*comment
	events     []*issueEvent
	checkRuns  []*checkRun
	suites     []*checkSuite
	reviews    []*review
	revComment []*reviewComment
	hist       *history        // deployments, releases, workflow runs (handlers_history.go)
	protected  map[string]bool // branch names (ProtectBranch)
}

func (r *repo) fullName() string { return r.Owner.Login + "/" + r.Name }

type issue struct {
	ID          int64
	Number      int
	Title       string
	Body        *string
	User        *account
	State       string
	StateReason *string
	Labels      []*label
	Assignees   []*account
	Locked      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    *time.Time
	ClosedBy    *account
	PR          *pull
	ParentID    int64
	SubIssues   []int64 // issue ids
	ViaApp      *app
}

type pull struct {
	Head, Base          string // branch names
	HeadSHA, BaseSHA    string // frozen when closed
	Draft               bool
	Merged              bool
	MergedAt            *time.Time
	MergedBy            *account
	MergeCommitSHA      *string
	RequestedReviewers  []*account
	MaintainerCanModify bool
}

type comment struct {
	ID        int64
	Issue     *issue
	User      *account
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	ViaApp    *app
	Reactions []*reaction
}

type reaction struct {
	ID        int64
	User      *account
	Content   string
	CreatedAt time.Time
}

type issueEvent struct {
	ID          int64
	Issue       *issue
	Actor       *account
	Event       string
	CreatedAt   time.Time
	Label       *label
	Assignee    *account
	Assigner    *account
	CommitID    *string
	StateReason *string
	Source      *issue // cross-referenced
	Reviewer    *account
	ViaApp      *app
}

type review struct {
	ID          int64
	PR          *issue
	User        *account
	Body        string
	State       string // APPROVED, COMMENTED, CHANGES_REQUESTED, PENDING
	CommitID    string
	SubmittedAt time.Time
}

type reviewComment struct {
	ID        int64
	ReviewID  int64
	PR        *issue
	User      *account
	Body      string
	Path      string
	Line      *int
	StartLine *int
	Side      string
	StartSide *string
	Position  *int
	CommitID  string
	DiffHunk  string
	InReplyTo *int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

type annotation struct {
	Path            string
	StartLine       int
	EndLine         int
	StartColumn     *int
	EndColumn       *int
	AnnotationLevel string
	Title           *string
	Message         string
	RawDetails      *string
}

type checkRun struct {
	ID          int64
	Suite       *checkSuite
	Name        string
	HeadSHA     string
	ExternalID  *string
	DetailsURL  *string
	Status      string
	Conclusion  *string
	StartedAt   *time.Time
	CompletedAt *time.Time
	Title       *string
	Summary     *string
	Text        *string
	Annotations []annotation
	Actions     []map[string]any
	App         *app
}

type checkSuite struct {
	ID          int64
	App         *app
	HeadSHA     string
	HeadBranch  *string
	Before      *string
	After       *string
	Status      string
	Conclusion  *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Rerequested bool
}
