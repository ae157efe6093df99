package githubsim

import "strings"

// protectedDoc is the documentation GitHub names when branch protection
// refuses a write.
const protectedDoc = "https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches"

// ProtectBranch protects branch of repo ("owner/name") as a rule requiring
// pull requests does: the branch says protected, and a write to it through
// the git refs API (update or delete) is refused as GitHub refuses it, 422
// "Protected branch update failed for refs/heads/<branch>." with the
// protected-branches documentation. Merging a pull request into it still
// works (the rule is satisfied by the pull request).
func (s *Server) ProtectBranch(full, branch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(full)
	if r == nil {
		return
	}
	if r.protected == nil {
		r.protected = map[string]bool{}
	}
	r.protected[branch] = true
}

// protectedRef is GitHub's refusal of a write to ref when it is a
// protected branch, else nil.
func protectedRef(r *repo, ref string) *apiError {
	name, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok || !r.protected[name] {
		return nil
	}
	return &apiError{Status: 422, Message: "Protected branch update failed for " + ref + ".", Doc: protectedDoc}
}
