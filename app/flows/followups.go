package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/postmortem-app/postmortem/app/claims"
	"github.com/postmortem-app/postmortem/app/flows/render"
	"github.com/postmortem-app/postmortem/app/flows/repoconfig"
	"github.com/postmortem-app/postmortem/checks"
)

// FollowUpsResult says what the merge flow found or did.
type FollowUpsResult struct {
	Skipped  string
	Incident int
	Items    int   // action items in the merged postmortem(s)
	Unread   int   // postmortems of the pull request past render.MaxFilesChecked, not read
	Created  []int // follow-up issues opened by this run
	Existing []int // follow-up issues found from earlier runs
	Tracking *TrackingResult
}

// ItemKey is the stable key of an action item: a hash of its normalized
// title and of how many items with the same title come before it.
func ItemKey(title string, occurrence int) string {
	norm := strings.Join(strings.Fields(strings.ToLower(title)), " ")
	sum := sha256.Sum256([]byte(norm + "\x00" + strconv.Itoa(occurrence)))
	return hex.EncodeToString(sum[:8])
}

// incidentOfPR finds the incident a postmortem pull request belongs to: the
// hidden marker of its body when the App opened it, else its branch name
// postmortem/<n>-…. A marker in a pull request people opened is not
// trusted: hidden from whoever merges it, it could name any issue.
func (r *run) incidentOfPR(pr *github.PullRequest) int {
	if m := reIncidentMarker.FindStringSubmatch(pr.GetBody()); m != nil && r.f.isBot(pr.GetUser()) {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if m := reBranchIncident.FindStringSubmatch(pr.GetHead().GetRef()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var reBranchIncident = regexp.MustCompile(`^postmortem/(\d+)-`)

// followUpItem is an open action item of a merged postmortem, in any form
// (checks.Document.Actions), with its stable key and file.
type followUpItem struct {
	checks.ActionItem
	key  string
	file string
	// severity is the postmortem's (its front matter's severity), for the
	// SLO of an item without a priority.
	severity string
}

// followUps opens one issue per action item of a merged postmortem, exactly
// once (claimed in the database, found again by the hidden marker when
// listing the follow-up label's issues), links each as a sub-issue of the
// incident, and keeps one tracking comment on the incident.
func (r *run) followUps(ctx context.Context, pr *github.PullRequest) (*FollowUpsResult, error) {
	incident := r.incidentOfPR(pr)
	if incident == 0 {
		return &FollowUpsResult{Skipped: "not a postmortem of an incident"}, nil
	}
	res := &FollowUpsResult{Incident: incident}
	cfg, err := r.config(ctx)
	if err != nil {
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			return &FollowUpsResult{Skipped: "configuration is broken", Incident: incident}, r.reportConfigError(ctx, incident, ce)
		}
		return nil, err
	}
	ref := pr.GetMergeCommitSHA()
	if ref == "" {
		ref = pr.GetHead().GetSHA()
	}
	items, found, unread, err := r.actionItems(ctx, cfg, pr.GetNumber(), ref)
	if err != nil {
		return nil, err
	}
	res.Unread = unread
	if !found {
		return &FollowUpsResult{Skipped: "no postmortem in the merged pull request", Incident: incident}, nil
	}
	res.Items = len(items)
	items, unfiled := capItems(items, cfg.FollowUps.Max)
	if len(items) > 0 {
		if err := r.watchRepo(ctx); err != nil { // the reminder pass visits it
			return nil, err
		}
	}

	existing, err := r.listFollowUps(ctx, cfg, incident)
	if err != nil {
		return nil, err
	}
	comments, err := r.issueComments(ctx, incident)
	if err != nil {
		return nil, err
	}

	linked, madeElsewhere, err := r.openFollowUps(ctx, cfg, pr, incident, ref, items, followUpsByKey(existing), &existing, res)
	if err != nil {
		return res, err
	}

	if madeElsewhere {
		if existing, err = r.listFollowUps(ctx, cfg, incident); err != nil {
			return res, err
		}
	}
	// Level-triggered: every follow-up found by its marker must be a
	// sub-issue of the incident, whoever created it and whether or not the
	// tracking comment exists (a run that created an issue may have failed
	// to link it, while a concurrent run went on to the tracking comment).
	// One list call per run, only when some follow-up was not linked here.
	if err := r.linkFollowUps(ctx, incident, existing, linked); err != nil {
		return res, err
	}
	res.Tracking, err = r.trackLocked(ctx, cfg, incident, existing, comments, unfiled)
	return res, err
}

// trackLocked updates the tracking comment under the incident's tracking
// lock. What was read before the lock (fus, comments) may be old: a
// concurrent run may have made the tracking comment, and a tracking run
// completed the incident since. The comments are read again (a 304 when
// nothing changed); when they changed, so may have the follow-ups.
func (r *run) trackLocked(ctx context.Context, cfg *repoconfig.Config, incident int, fus []*github.Issue,
	comments []*github.IssueComment, unfiled render.Unfiled) (*TrackingResult, error) {
	ctx, unlock, err := r.lockIncident(ctx, incident, "lock:tracking")
	if err != nil {
		return nil, err
	}
	defer unlock()
	fresh, err := r.issueComments(ctx, incident)
	if err != nil {
		return nil, err
	}
	if !sameComments(comments, fresh) {
		if fus, err = r.listFollowUps(ctx, cfg, incident); err != nil {
			return nil, err
		}
	}
	return r.tracking(ctx, cfg, incident, fus, fresh, &unfiled)
}

// capItems keeps the first max items (follow_ups.max: the pull request's
// check run said so before the merge); the tracking comment counts the
// rest.
func capItems(items []followUpItem, max int) ([]followUpItem, render.Unfiled) {
	unfiled := render.Unfiled{Max: max}
	if max > 0 && len(items) > max {
		unfiled.Count = len(items) - max
		items = items[:max]
	}
	return items, unfiled
}

// openFollowUps opens the follow-up issue of each item not found by its key
// (byKey), under its claim, and links it under the incident. It adds them to
// *existing and res, and returns those it linked and whether a claim said
// done for an issue not listed (made by a concurrent run since: the list
// is read again). A claim another worker holds is ErrInProgress, after the
// other items (of several, the one that frees soonest: r.sooner).
func (r *run) openFollowUps(ctx context.Context, cfg *repoconfig.Config, pr *github.PullRequest, incident int, ref string,
	items []followUpItem, byKey map[string]*github.Issue, existing *[]*github.Issue, res *FollowUpsResult) (linked map[int64]bool, madeElsewhere bool, err error) {
	var inProgress error
	linked = map[int64]bool{} // linked under the incident by this run
	for _, it := range items {
		if is := byKey[it.key]; is != nil {
			res.Existing = append(res.Existing, is.GetNumber())
			continue
		}
		var issue *github.Issue
		var made bool
		_, err := r.createOnceFresh(ctx, incident, "followup:"+it.key, func(ctx context.Context, fresh bool) (string, error) {
			is, created, err := r.followUpOnce(ctx, cfg, pr, incident, ref, it, fresh)
			if err != nil {
				return "", err
			}
			issue, made = is, created
			return strconv.Itoa(is.GetNumber()), nil
		})
		if errors.Is(err, claims.ErrInProgress) {
			inProgress = r.sooner(inProgress, err)
			continue
		}
		if err != nil {
			return linked, madeElsewhere, err
		}
		if issue == nil {
			// Claimed done, yet not in the list read above: made by a
			// concurrent run since (or made and deleted by a person,
			// which is respected): read the list again below.
			madeElsewhere = true
			continue
		}
		*existing = append(*existing, issue)
		if !made { // an earlier attempt's, found by its marker
			res.Existing = append(res.Existing, issue.GetNumber())
			continue // linked below with the others found
		}
		res.Created = append(res.Created, issue.GetNumber())
		if err := r.addSubIssue(ctx, incident, issue.GetID()); err != nil {
			return linked, madeElsewhere, fmt.Errorf("add #%d as a sub-issue of #%d: %w", issue.GetNumber(), incident, err)
		}
		linked[issue.GetID()] = true
		r.emit("follow_ups", incident, "opened follow-up #%d %q and linked it under incident #%d", issue.GetNumber(), issue.GetTitle(), incident)
	}
	return linked, madeElsewhere, inProgress
}

// actionItems are the open action items of the postmortems a merged pull
// request added or changed (read at ref), each with its stable key; found
// says whether it held a postmortem at all. As its checks did, it reads
// the first render.MaxFilesChecked of them; unread counts the rest.
func (r *run) actionItems(ctx context.Context, cfg *repoconfig.Config, number int, ref string) (items []followUpItem, found bool, unread int, err error) {
	files, err := r.listFiles(ctx, number)
	if err != nil {
		return nil, false, 0, err
	}
	seen := map[string]int{}
	read := 0
	for _, cf := range files {
		if !inPostmortemDir(cfg.Directory, cf.GetFilename()) || cf.GetStatus() == "removed" {
			continue
		}
		if read == render.MaxFilesChecked {
			unread++
			continue
		}
		read++
		src, ok, err := repoconfig.GetFile(ctx, r.gh, r.owner, r.repo, cf.GetFilename(), ref)
		if err != nil {
			return nil, false, 0, fmt.Errorf("read %s: %w", cf.GetFilename(), err)
		}
		if !ok {
			continue
		}
		found = true
		release, err := r.f.parseSlot(ctx, len(src))
		if err != nil {
			return nil, false, 0, err
		}
		d := checks.Parse(src)
		severity := ""
		if f := d.FrontMatter.Get("severity"); f != nil {
			severity = strings.TrimSpace(f.Raw)
		}
		// Every form (task lists, bullets, numbered items, table rows):
		// task items read as they always did, so their keys are unchanged.
		for _, a := range d.Actions {
			if a.Done || strings.TrimSpace(a.Title) == "" {
				continue
			}
			norm := strings.Join(strings.Fields(strings.ToLower(a.Title)), " ")
			key := ItemKey(a.Title, seen[norm])
			seen[norm]++
			items = append(items, followUpItem{ActionItem: a, key: key, file: cf.GetFilename(), severity: severity})
		}
		release() // d is not read after this
	}
	if unread > 0 {
		r.f.log().Warn("a merged pull request holds more postmortems than are read for action items",
			"repo", r.fullName(), "pull", number, "read", render.MaxFilesChecked, "unread", unread)
	}
	return items, found, unread, nil
}

// linkFollowUps links under the incident each follow-up not linked yet: it
// lists the incident's sub-issues once (skipped when this run linked them
// all) and links the missing ones ("already a sub-issue" is success).
func (r *run) linkFollowUps(ctx context.Context, incident int, fus []*github.Issue, linkedNow map[int64]bool) error {
	missing := false
	for _, is := range fus {
		if !linkedNow[is.GetID()] {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	subs, err := r.listSubIssues(ctx, incident)
	if statusOf(err) == http.StatusNotFound {
		return nil // no sub-issues API here (see addSubIssue)
	}
	if err != nil {
		return fmt.Errorf("list sub-issues of #%d: %w", incident, err)
	}
	linked := map[int64]bool{}
	for _, s := range subs {
		linked[s.GetID()] = true
	}
	for _, is := range fus {
		if linked[is.GetID()] || linkedNow[is.GetID()] {
			continue
		}
		if err := r.addSubIssue(ctx, incident, is.GetID()); err != nil {
			return fmt.Errorf("add #%d as a sub-issue of #%d: %w", is.GetNumber(), incident, err)
		}
		r.emit("follow_ups", incident, "linked follow-up #%d under incident #%d", is.GetNumber(), incident)
	}
	return nil
}

// listFollowUps lists the follow-up issues of an incident: the issues (any
// state) with the follow-up label whose marker names the incident. Listing
// is consistent; search lags, so it is not used.
func (r *run) listFollowUps(ctx context.Context, cfg *repoconfig.Config, incident int) ([]*github.Issue, error) {
	all, err := listAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return r.gh.Issues.ListByRepo(ctx, r.owner, r.repo, &github.IssueListByRepoOptions{
			State: "all", Labels: []string{cfg.FollowUps.Label}, Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list follow-up issues: %w", err)
	}
	var out []*github.Issue
	for _, is := range all {
		if is.IsPullRequest() {
			continue
		}
		if m := reFollowUpMarker.FindStringSubmatch(is.GetBody()); m != nil && m[1] == strconv.Itoa(incident) && r.f.isBot(is.GetUser()) {
			out = append(out, is)
		}
	}
	return out, nil
}

// followUpOnce opens an item's follow-up under its claim. A claim that is not
// fresh (an earlier attempt died, or its write may have landed with the
// answer lost) looks for the issue first: the list this run read before
// claiming may predate that write. A write whose answer was lost is
// errMaybeMade, so the claim stays not fresh for whoever takes it next.
func (r *run) followUpOnce(ctx context.Context, cfg *repoconfig.Config, pr *github.PullRequest, incident int, ref string, it followUpItem, fresh bool) (is *github.Issue, made bool, err error) {
	if !fresh {
		fus, err := r.listFollowUps(ctx, cfg, incident)
		if err != nil {
			return nil, false, err
		}
		if is := followUpsByKey(fus)[it.key]; is != nil {
			return is, false, nil
		}
	}
	is, err = r.createFollowUp(ctx, cfg, pr, incident, ref, it)
	if err != nil {
		return nil, false, maybeMade(err)
	}
	return is, true, nil
}

// followUpsByKey indexes follow-up issues by their marker's item key.
func followUpsByKey(fus []*github.Issue) map[string]*github.Issue {
	byKey := map[string]*github.Issue{}
	for _, is := range fus {
		if _, key, ok := ParseFollowUpMarker(is.GetBody()); ok {
			byKey[key] = is
		}
	}
	return byKey
}

// createFollowUp opens the issue of one action item: title, body linking the
// postmortem and the incident, owner assigned when possible, labels.
func (r *run) createFollowUp(ctx context.Context, cfg *repoconfig.Config, pr *github.PullRequest, incident int, ref string, it followUpItem) (*github.Issue, error) {
	labels, refused := followUpLabels(cfg, it)

	var assignees []string
	var ownerNote string
	owner := strings.TrimPrefix(it.Owner, "@")
	named := strings.Join(it.OwnerNames, ", ")
	switch {
	case owner == "" && named != "":
		// Named without a GitHub handle ("Owner: Jane Doe", an Owner
		// column): shown, never guessed into an assignee.
		ownerNote = render.Echo(named, 200) + " (named in the postmortem without a GitHub handle, so nobody is assigned yet)"
	case owner == "":
		ownerNote = "nobody yet — please pick an owner"
	case strings.Contains(owner, "/"):
		ownerNote = "@" + owner + " (a team: teams cannot be assigned, so please pick a person)"
	case !cfg.FollowUps.AssignOwner:
		ownerNote = "@" + owner
	default:
		ownerNote = "@" + owner
		assignees = []string{owner}
	}
	due := r.dueOf(cfg, pr, it)
	fileURL := fmt.Sprintf("%s/blob/%s/%s", strings.TrimSuffix(pr.GetBase().GetRepo().GetHTMLURL(), "/"), ref, it.file)
	if pr.GetBase().GetRepo().GetHTMLURL() == "" {
		fileURL = it.file
	}
	body := func(note string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\nFollow-up of incident #%d, from its postmortem [%s](%s) (merged in #%d, line %d).\n\n",
			MarkerFollowUp(incident, it.key), incident, render.Code(it.file, 200), fileURL, pr.GetNumber(), it.Line)
		what := it.Title
		if it.Detail != "" {
			what = it.Detail // the whole item, when the title is only its lead
		}
		fmt.Fprintf(&b, "**Action item:** %s\n\n", render.Echo(what, 2000))
		fmt.Fprintf(&b, "- **Owner:** %s\n", note)
		fmt.Fprintf(&b, "- **Due:** %s\n", due)
		if it.Priority != "" {
			fmt.Fprintf(&b, "- **Priority:** %s\n", it.Priority)
		}
		if len(refused) > 0 {
			fmt.Fprintf(&b, "\nNot labelled %s, though named for it: %s the App's flows (the incident label would have a postmortem drafted for this issue), and a follow-up is not an incident.\n",
				strings.Join(refused, ", "), pluralThose(len(refused)))
		}
		b.WriteString("\nClose this issue when it is done (or as \"not planned\"); the incident's tracking comment follows along.\n")
		return b.String()
	}
	req := &github.IssueRequest{Title: github.String(render.Plain(it.Title, 200)), Body: bodyOf(body(ownerNote)), Labels: &labels}
	if len(assignees) > 0 {
		req.Assignees = &assignees
	}
	is, _, err := r.gh.Issues.Create(ctx, r.owner, r.repo, req)
	if err != nil && len(assignees) > 0 && statusOf(err) == http.StatusUnprocessableEntity {
		// The owner cannot be assigned here (no access, not a user): say so.
		req.Assignees = nil
		req.Body = bodyOf(body("@" + owner + " (cannot be assigned in this repository, so nobody is assigned yet)"))
		is, _, err = r.gh.Issues.Create(ctx, r.owner, r.repo, req)
	}
	if err != nil {
		return nil, fmt.Errorf("open follow-up %q: %w", it.Title, err)
	}
	return is, nil
}

// followUpLabels are the labels of an action item's follow-up: the
// follow-up label, follow_ups.labels, the item's "#label" words and its
// priority, less those that start or end the App's flows (the incident
// label: the follow-up would be taken for an incident and get a
// postmortem drafted; the complete and overdue labels, which the App puts
// on and off). refused names those left off, escaped and in backticks, to
// say so in the follow-up.
func followUpLabels(cfg *repoconfig.Config, it followUpItem) (labels, refused []string) {
	all := []string{cfg.FollowUps.Label}
	all = append(all, cfg.FollowUps.Labels...)
	all = append(all, it.Labels...)
	if it.Priority != "" {
		all = append(all, it.Priority)
	}
	reserved := []string{cfg.IncidentLabel, cfg.CompleteLabel, cfg.FollowUps.OverdueLabel}
	for _, l := range dedupeFold(all) {
		if i := slices.IndexFunc(reserved, func(r string) bool { return r != "" && strings.EqualFold(strings.TrimSpace(l), r) }); i >= 0 {
			refused = append(refused, render.Code(reserved[i], 60))
			continue
		}
		labels = append(labels, l)
	}
	return labels, refused
}

func pluralThose(n int) string {
	if n == 1 {
		return "that label starts or ends"
	}
	return "those labels start or end"
}

// dueOf is how a follow-up's due date reads in its body: the item's own,
// else the one its priority's (or the incident's severity's) SLO gives,
// counted from the merge of the postmortem, saying so.
func (r *run) dueOf(cfg *repoconfig.Config, pr *github.PullRequest, it followUpItem) string {
	if it.HasDue {
		return it.Due.Format("2006-01-02")
	}
	merged := r.f.now()
	if pr.MergedAt != nil {
		merged = pr.GetMergedAt().Time
	}
	invalid := ""
	if it.DueRaw != "" {
		invalid = fmt.Sprintf("; the postmortem's %s is not a valid date", render.Code(it.DueRaw, 40))
	}
	if due, key, p, ok := cfg.DueBySLO(it.Priority, it.severity, merged); ok {
		return fmt.Sprintf("%s (%s: %s after the postmortem merged, by policy%s)", due.Format("2006-01-02"), key, p, invalid)
	}
	if it.DueRaw != "" {
		return it.DueRaw + " (not a valid date)"
	}
	return "none given"
}

func dedupeFold(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x == "" || seen[strings.ToLower(x)] {
			continue
		}
		seen[strings.ToLower(x)] = true
		out = append(out, x)
	}
	return out
}

// sameComments: two reads of an issue's comments hold the same comments,
// each with the same body.
func sameComments(a, b []*github.IssueComment) bool {
	return slices.EqualFunc(a, b, func(x, y *github.IssueComment) bool {
		return x.GetID() == y.GetID() && x.GetBody() == y.GetBody()
	})
}
