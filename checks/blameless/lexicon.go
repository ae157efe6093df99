package blameless

import (
	"maps"
	"strings"
)

// Word classes. One map lookup per token gives all of a word's classes.
const (
	fRole     uint32 = 1 << iota // engineer, operator, intern, DBA …
	fTeam                        // team, squad, ops …
	fSystem                      // service, health check, script, job …
	fDet                         // the, a, our …
	fPrep                        // of, on, in, during …
	fAux                         // was, had, did …
	fModal                       // should, could …
	fNeg                         // not, never, didn't …
	fAdv                         // then, accidentally, just …
	fBound                       // and, but, because, which, who …
	fQuant                       // one, some, each … (one of the X)
	fPast                        // irregular past tense / participle (ran, took, forgot)
	fPron                        // personal pronoun (class in pronouns)
	fVerbBase                    // base-form verbs we use in fix-the-human and imperatives
	fTrigger                     // a word some rule starts from
	fMeta                        // a word detectMeta starts from
	// bits 24–28: the word's lexicon class (lexclass.go), see tokClass
	classShift = 24
)

var lex = map[string]uint32{}

func addWords(flag uint32, words string) {
	for _, w := range strings.Fields(words) {
		lex[w] |= flag
	}
}

func init() {
	addWords(fRole, `engineer engineers developer developers dev devs operator operators sre sres
		admin admins administrator administrators sysadmin sysadmins dba dbas intern interns
		contractor contractors on-call oncall on-caller on-callers oncaller oncallers responder responders
		reviewer reviewers approver approvers author authors maintainer maintainers manager managers
		lead leads employee employees staff member members person
		crew pilot pilots builder builders designer designers architect architects programmer programmers
		coder coders tester testers qa hire hires newbie newbies junior juniors colleague colleagues
		coworker coworkers co-worker co-workers teammate teammates individual individuals somebody
		guy guys folks analyst analysts technician technicians commander commanders owner owners
		sysop sysops opers oper moderator moderators mod mods committer committers contributor contributors
		worker-bee specialist specialists consultant consultants vendor-engineer personnel
		releaser releasers deployer deployers approvers`)
	addWords(fTeam, `team teams squad squads ops devops department dept group`)
	addWords(fSystem, `service services browser browsers cookie cookies zombie zombies orphan orphans system systems server servers host hosts node nodes cluster clusters
		database databases db dbs check checks healthcheck alert alerts alarm alarms monitor monitors
		monitoring job jobs cron cronjob script scripts tool tools tooling pipeline pipelines deploy deploys
		deployment deployments release releases build builds test tests suite config configs configuration
		change changes commit commits code bug bugs query queries queue queues cache caches generator
		balancer balancers proxy proxies router routers dns record records certificate certificates cert
		certs disk disks network networks process processes automation bot bots api apis app apps
		application applications update updates upgrade upgrades migration migrations patch patches flag
		flags rule rules runbook runbooks playbook playbooks dashboard dashboards pager scheduler
		schedulers consumer consumers producer producers replica replicas primary instance
		instances container containers pod pods vm vms machine machines software hardware firmware library
		libraries dependency dependencies package packages version versions request requests traffic load
		analysis validation step stage guard lock backup backups file files directory directories
		interaction failure failures outage outages incident incidents installer controller controllers
		operator-pattern kernel driver drivers endpoint endpoints daemon daemons agent agents sensor
		sensors timer timeout timeouts threshold thresholds tag tags image images workflow workflows
		action-runner runner runners probe probes check-in hook hooks webhook webhooks storage volume
		volumes bucket buckets index indexes table tables schema schemas replication failover loadbalancer
		gateway gateways firewall firewalls vpn dashboard frontend backend cdn region regions zone zones
		datacenter datacenters rack racks power generator generators ups switch switches cable cables
		link links feed feeds sync syncer compiler linter parser validator provider providers
		kubernetes k8s postgres postgresql mysql redis kafka nginx terraform github gitlab aws azure gcp
		google cloudflare docker linux windows jenkins pagerduty slack datadog grafana prometheus mongodb
		elasticsearch consul vault etcd ansible chef puppet helm argo s3 ec2 ebs elb rds lambda
		cloudfront heroku circleci npm pypi maven gradle bazel git it`)
	addWords(fDet, `the a an this that these those our their his her my your its some any each every all
		no both either neither another such whose`)
	addWords(fPrep, `of on in at from with during for to by about after before over under into onto through
		across between via per without within against since until upon around near behind beyond
		like unlike toward towards amid among despite`)
	addWords(fAux, `was were is are am be been being had has have having do does did 's 'd 're 've get got gets
		didn't didnt wasn't wasnt weren't werent isn't isnt aren't arent hasn't hasnt hadn't hadnt
		haven't havent doesn't doesnt don't dont`)
	addWords(fModal, `should could would might must may can will shall ought should've could've would've
		might've must've shouldn't couldn't wouldn't mustn't can't cannot won't shouldnt couldnt
		wouldnt cant wont`)
	addWords(fNeg, `not never didn't didnt wasn't wasnt weren't werent isn't isnt aren't arent hasn't hasnt
		hadn't hadnt haven't havent doesn't doesnt don't dont shouldn't couldn't wouldn't mustn't can't
		cannot won't shouldnt couldnt wouldnt cant wont`)
	addWords(fAdv, `then also just simply actually really ever already still quickly immediately later
		subsequently ultimately apparently unfortunately initially eventually again manually clearly
		obviously only even probably likely allegedly reportedly finally originally previously recently
		accidentally mistakenly inadvertently unintentionally erroneously wrongly incorrectly carelessly
		improperly inappropriately blindly hastily haphazardly
		maybe perhaps somehow certainly definitely basically literally seriously honestly frankly
		instead nonetheless nevertheless however therefore thus hence so too soon now once sometimes
		usually always often rarely quietly silently directly automatically
		yesterday today tomorrow tonight earlier meanwhile afterwards afterward overnight`)
	addWords(fBound, `and but or nor yet so because since when whenever while after before until unless
		although though if whether that which who whom where then once as than whereas instead despite
		while: whilst`)
	addWords(fQuant, `one some many most several all none each any both two three four few half part`)
	addWords(fPast, `ran took went made broke forgot wrote did got saw put set sent brought began became chose
		drove fell found gave hit held kept knew left lost meant met paid rose said sold shut spent stood
		thought told understood won overrode overwrote led let read built overbuilt bought caught came cut
		dealt drew ate fed felt fought forgave froze grew hung heard hid laid lit quit rang sang sat slept
		spoke spun stole struck swore taught threw tore woke wore withdrew wound upset mistook misread
		been done gone known seen taken written given gotten broken chosen driven fallen forgotten begun
		become come drawn eaten run shown grown thrown worn torn sunk stuck rebuilt rewritten undone
		pushed merged deployed deleted dropped removed ran`)
	addWords(fVerbBase, `check double-check verify remember learn read follow pay think test keep watch know
		understand slow stop avoid take be review confirm communicate ask`)
	for w, c := range pronouns {
		_ = c
		lex[w] |= fPron
	}
}

type subjClass uint8

const (
	sNone    subjClass = iota // no subject found (imperative, note style)
	sUnknown                  // a noun phrase that is not a person we recognise
	sSystem
	sI
	sWe
	sYou
	sThird   // he, she, they, someone, whoever
	sGeneric // anyone, any engineer
	sNobody  // nobody, no one
	sRole    // the engineer, the DBA, developers
	sTeam    // the QA team
	sNamed   // @alice, Brain, Carlos
)

// person reports whether the class is a person we would put at fault
// (not the writer's own I/we, not generic "anyone").
func (c subjClass) person() bool {
	switch c {
	case sYou, sThird, sRole, sTeam, sNamed:
		return true
	}
	return false
}

var pronouns = map[string]subjClass{
	"i": sI, "me": sI, "myself": sI, "we": sWe, "us": sWe, "ourselves": sWe,
	"you": sYou, "ya'll": sYou, "y'all": sYou, "yourself": sYou, "yourselves": sYou,
	"he": sThird, "she": sThird, "they": sThird, "him": sThird, "them": sThird,
	"someone": sThird, "somebody": sThird, "whoever": sThird, "everyone": sThird, "everybody": sThird,
	"anyone": sGeneric, "anybody": sGeneric, "nobody": sNobody,
	// humankind in general: "humans make errors"
	"human": sGeneric, "humans": sGeneric, "people": sGeneric,
	"it": sSystem, "this": sSystem, "that": sSystem, "these": sSystem, "those": sSystem, "there": sSystem,
	"which": sSystem, "what": sSystem,
}

// Words that end in -ed or -ly but are not past verbs / adverbs.
var notPastEd = map[string]bool{
	"need": true, "feed": true, "speed": true, "seed": true, "bed": true, "red": true, "shed": true,
	"bleed": true, "breed": true, "proceed": true, "succeed": true, "exceed": true, "weed": true,
	"greed": true, "embed": true, "shred": true, "hundred": true, "sacred": true, "wicked": true,
	"naked": true, "wretched": true, "rugged": true, "ragged": true, "crooked": true, "beloved": true,
	"indeed": true, "heed": true, "ted": true, "fred": true, "ed": true, "deed": true, "reed": true, "creed": true,
}

var notAdvLy = map[string]bool{
	"apply": true, "reply": true, "supply": true, "rely": true, "family": true, "assembly": true,
	"anomaly": true, "july": true, "italy": true, "fly": true, "ally": true, "early": true,
	"daily": true, "weekly": true, "monthly": true, "hourly": true, "yearly": true, "quarterly": true,
	"friendly": true, "silly": true, "ugly": true, "holy": true, "lonely": true, "belly": true,
	"jelly": true, "bully": true, "rally": true, "tally": true, "poly": true, "only": false,
	"costly": true, "timely": true, "unlikely": true, "likely": false, "lovely": true, "elderly": true,
	"multiply": true, "comply": true, "imply": true, "monopoly": true, "butterfly": true,
}

func isAdverb(t *token) bool {
	if t.kind != tWord || t.person {
		return false
	}
	if t.f&fAdv != 0 {
		return true
	}
	return len(t.low) > 4 && strings.HasSuffix(t.low, "ly") && !notAdvLy[t.low] &&
		!(t.cap && personBits(t.low)&pName != 0) // Kelly, Emily, Beverly
}

func isEdVerb(low string) bool {
	return len(low) > 3 && strings.HasSuffix(low, "ed") && !notPastEd[low]
}

// isParticiple reports whether a word can be a past participle (after
// have/has/had): checked, run, taken, been.
func isParticiple(low string) bool {
	return isEdVerb(low) || lexFlags(low)&fPast != 0 || strings.HasSuffix(low, "'d")
}

// verbish reports whether a token looks like a finite verb or auxiliary.
func verbish(t *token) bool {
	if t.kind != tWord {
		return false
	}
	f := t.f
	if f&(fAux|fModal|fPast) != 0 {
		return true
	}
	if errVerbs[t.low] != "" {
		return true
	}
	return isEdVerb(t.low)
}

// errVerbs are verbs that describe a mistake all by themselves. With a person
// as subject they make the sentence a person-as-cause finding.
var errVerbs = map[string]string{}

func init() {
	for _, w := range strings.Fields(`mistyped typoed typo'd misconfigured misread misjudged mismanaged
		misunderstood misinterpreted misapplied mislabeled mislabelled misnamed misused misclicked
		misconfigures mistypes botched fumbled bungled overlooked overlooks fat-fingered fatfingered
		forgot forgets forget forgotten ignored ignores neglected neglects missed delayed overrode overwrote
		skipped bypassed disregarded`) {
		errVerbs[w] = "person-as-cause"
	}
}

// errModifiers mark an ordinary action as a mistake: "deleted the database by accident".
var errModifiers = func() map[string]bool {
	m := map[string]bool{
		"accidentally": true, "mistakenly": true, "inadvertently": true, "erroneously": true,
		"wrongly": true, "incorrectly": true, "carelessly": true, "unintentionally": true,
		"recklessly": true, "negligently": true, "improperly": true, "inappropriately": true,
		"blindly": true, "hastily": true, "haphazardly": true,
	}
	maps.Copy(m, objectModifiers) // "wrong", "untested" …
	return m
}()

// objectModifiers are the error modifiers that describe what a person's act
// put out ("the wrong cluster", "pushed untested code"): after a copula they
// describe a thing ("the change was untested").
var objectModifiers = map[string]bool{"wrong": true, "untested": true, "unreviewed": true, "unvetted": true}

var mistakeNouns = map[string]bool{
	"mistake": true, "mistakes": true, "error": true, "errors": true, "typo": true, "typos": true,
	"blunder": true, "blunders": true, "slip": true, "oversight": true, "goof": true, "screwup": true,
	"screw-up": true, "gaffe": true,
}

// judgmental words and their severity tier: "error" words judge character,
// "warning" words express the writer's disappointment or opinion.
var judgmental = map[string]string{
	"careless": "error", "carelessly": "error", "carelessness": "error",
	"sloppy": "error", "sloppily": "error", "sloppiness": "error",
	"lazy": "error", "laziness": "error",
	"negligent": "error", "negligence": "error", "negligently": "error",
	"reckless": "error", "recklessly": "error", "recklessness": "error",
	"incompetent": "error", "incompetence": "error", "incompetently": "error",
	"stupid": "error", "stupidity": "error", "dumb": "error", "dumbest": "error",
	"idiot": "error", "idiots": "error", "idiotic": "error", "moron": "error", "moronic": "error",
	"clueless": "error", "fat-fingered": "error", "fatfingered": "error", "fat-finger": "error",
	"boneheaded": "error", "brainless": "error", "inexcusable": "error", "irresponsible": "error",
	"unprofessional": "warning", "amateur": "warning", "amateurish": "warning",
	"rude": "warning", "disappointing": "warning", "disappointed": "warning",
	"embarrassing": "warning", "shameful": "warning", "mismanaged": "error",
}

// judgmentalExceptions are fixed phrases: the next word makes the judgmental
// word a technical term.
var judgmentalExceptions = map[string]map[string]bool{
	"lazy": {"loading": true, "loaded": true, "load": true, "loads": true, "consensus": true,
		"evaluation": true, "initialization": true, "initialisation": true, "init": true,
		"instantiation": true, "import": true, "imports": true, "deletion": true, "fetching": true,
		"fetch": true, "sequence": true, "sequences": true, "val": true, "static": true},
	"dumb": {"terminal": true, "terminals": true, "pipe": true, "pipes": true, "client": true,
		"clients": true, "switch": true, "proxy": true, "component": true, "components": true},
	"amateur": {"radio": true, "astronomy": true, "astronomer": true},
}

// badNouns make "bad X" a judgment: "a really bad idea", "bad practice".
var badNouns = map[string]bool{
	"idea": true, "ideas": true, "practice": true, "practices": true, "decision": true,
	"decisions": true, "call": true, "judgment": true, "judgement": true, "habit": true, "habits": true,
}

// fixHumanVerbs: imperative remedies aimed at people ("Retrain the on-call staff").
var fixHumanImperatives = map[string]bool{
	"retrain": true, "re-train": true, "train": true, "remind": true, "educate": true, "coach": true,
	"tell": true, "warn": true, "discipline": true, "reprimand": true, "punish": true, "fire": true,
	"re-educate": true, "instruct": true,
}

// punitive participles after "be": "should be fired", "need to be prevented from".
var punitive = map[string]bool{
	"fired": true, "disciplined": true, "retrained": true, "re-trained": true, "trained": true,
	"reminded": true, "prevented": true, "held": true, "punished": true, "banned": true,
	"reprimanded": true, "removed": true, "restricted": true, "blocked": true, "educated": true,
	"let": true, "sacked": true, "demoted": true, "written": true, "warned": true, "coached": true,
}

// behaviour verbs after an obligation: "engineers must check", "you should keep track".
var behaviourVerbs = map[string]bool{
	"check": true, "double-check": true, "verify": true, "remember": true, "learn": true,
	"read": true, "follow": true, "pay": true, "think": true, "test": true, "keep": true,
	"watch": true, "know": true, "understand": true, "slow": true, "stop": true, "avoid": true,
	"take": true, "be": true, "ensure": true, "make": true, "look": true, "focus": true,
	"triple-check": true, "doublecheck": true, "care": true, "try": true,
}

// conditions that make "be X" a behaviour remedy: "be more careful".
var carefulWords = map[string]bool{
	"careful": true, "vigilant": true, "attentive": true, "cautious": true, "diligent": true,
	"aware": true, "alert": true, "thorough": true, "mindful": true,
}

var diligenceGerunds = map[string]bool{
	"waiting": true, "checking": true, "testing": true, "telling": true, "asking": true,
	"notifying": true, "warning": true, "reviewing": true, "review": true, "approval": true,
	"consulting": true, "reading": true, "verifying": true, "looking": true, "confirming": true,
	"informing": true, "thinking": true, "permission": true, "double-checking": true,
}

// has reports whether a word token belongs to a word class.
func has(t *token, flag uint32) bool { return t.kind == tWord && t.f&flag != 0 }

// triggers are the words a rule can start from; other tokens skip the rules.
func init() {
	addWords(fTrigger, `human-error human-errors bad fault faults blame blamed blames culprit culprits
		screwed screw screws fuck mess cock messed fucked cocked dropped blew broke breaks attention twice double-check
		triple-check doublecheck double-checks double triple accountable responsible be get been sure ensure
		should must ought need needs has have could would might should've could've would've shouldn't
		couldn't had hadn't failed fails neglected omitted refused decided chose opted elected didn't didnt
		did never bothered checked verified tested reviewed followed instead by made performed committed
		caused took brought knocked without due because attributed attributable cause trigger reason
		obviously clearly simply just making make fewer`)
	for _, m := range []map[string]bool{humanErrorFirst, carefulWords, fixHumanImperatives, errModifiers, screwNouns, qualityAdverbs} {
		for w := range m {
			lex[w] |= fTrigger
		}
	}
	for w := range judgmental {
		lex[w] |= fTrigger
	}
	for w := range errVerbs {
		lex[w] |= fTrigger
	}
	// detectMeta's cues (its switch must list no other word)
	addWords(fMeta, `blameless blamelessly blame-free blamelessness avoid avoiding avoids stop rather not
		concept notion framing narrative`)
	for _, m := range broadTriggers {
		for w := range m {
			lex[w] |= fTrigger
		}
	}
	addTechWords()
	addClassBits()
	buildLexTable() // lex is complete: this is its last writer
}

// lexTable is lex as an open-addressed hash table (FNV-1a, linear probing)
// for the tokenizer's one lookup per word, which a string-keyed map made a
// tenth of the analyzer's time. lexFlags(w) == lex[w] for every w.
var lexTable struct {
	slots []lexSlot
	mask  uint32
}

type lexSlot struct {
	key string
	f   uint32
}

func lexHash(w string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h ^= uint32(w[i])
		h *= 16777619
	}
	return h
}

func buildLexTable() {
	n := 1
	for n < 4*len(lex) {
		n <<= 1
	}
	lexTable.slots = make([]lexSlot, n)
	lexTable.mask = uint32(n - 1)
	for w, f := range lex {
		if w == "" || f == 0 {
			continue // "" marks an empty slot; no flags reads as absent anyway
		}
		i := lexHash(w) & lexTable.mask
		for lexTable.slots[i].key != "" {
			i = (i + 1) & lexTable.mask
		}
		lexTable.slots[i] = lexSlot{w, f}
	}
}

// lexFold looks up an ASCII word whatever its case: the lexicon's
// (lower-case) word and its classes, ok false when lex has no
// strings.ToLower(w).
func lexFold(w string) (key string, f uint32, ok bool) {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h ^= uint32(lowerASCII[w[i]])
		h *= 16777619
	}
	for i := h & lexTable.mask; ; i = (i + 1) & lexTable.mask {
		s := &lexTable.slots[i]
		if s.key == "" {
			return "", 0, false
		}
		if len(s.key) == len(w) && equalLower(s.key, w) {
			return s.key, s.f, true
		}
	}
}

// equalLower reports whether w lowered (ASCII) is low; same lengths.
func equalLower(low, w string) bool {
	for i := 0; i < len(w); i++ {
		if lowerASCII[w[i]] != low[i] {
			return false
		}
	}
	return true
}

// lexFlags returns the word classes of a lower-case word: lex[w].
func lexFlags(w string) uint32 {
	i := lexHash(w) & lexTable.mask
	for {
		s := &lexTable.slots[i]
		if s.key == w {
			return s.f
		}
		if s.key == "" {
			return 0
		}
		i = (i + 1) & lexTable.mask
	}
}
