package blameless

//go:generate go run ./internal/lexgen

import "strings"

// Person-hood. Blame needs an agent who is a person, so the analyzer decides
// whether a noun phrase names one from evidence, strongest first:
//
//   - the people the incident involves (Config.People: logins and display
//     names) and @handles, @org/team mentions;
//   - a first name from a public list (lexicon_gen.go), capitalised; a name
//     that is also a common word (Will, Mark, Rose) only inside a sentence or
//     before another capitalised word (a surname);
//   - a person or role noun (the hand-kept domain roles in lexicon.go, then
//     the 6 000 WordNet nouns whose most frequent sense is a person), a
//     group of people (team, staff, crew, committee …), a personal pronoun
//     (they/them/their only when their antecedent is not a thing:
//     antecedent.go);
//   - a capitalised word as the subject of a verb only people do (said,
//     apologised, decided, forgot, insisted).
//
// A capitalised word with none of this evidence is a thing: a service, host,
// tool or network ("the image on Orion broke the builds"). Technical nouns
// that WordNet also lists as people (server, host, client, driver, handler,
// master, proxy …) are things: the domain list in lexicon.go wins. A few
// name people far more often than software (worker, trader, dispatcher:
// personFirstHeads) and are people unless a technical word comes first.

// Person evidence bits of a lower-case word (personLex).
const (
	pNoun     uint8 = 1 << iota // WordNet person noun
	pGroup                      // WordNet group of people
	pName                       // first name, not a common word
	pAmbiName                   // first name that is also a common word
)

var personLex = func() map[string]uint8 {
	m := make(map[string]uint8, 16000)
	for _, l := range []struct {
		words string
		bit   uint8
	}{{genPersonNouns, pNoun}, {genGroupNouns, pGroup}, {genGivenNames, pName}, {genAmbiguousNames, pAmbiName}} {
		for _, w := range strings.Fields(l.words) {
			m[w] |= l.bit
		}
	}
	return m
}()

// personBits returns the person evidence of a lower-case word, a plural
// (engineers, contractors, men, staffers, agencies) taking its singular's
// (not as a name: "Jacks" is not one). The words and their plurals are in
// an open-addressed table of their own (personTable), apart from the
// lexicon every token is looked up in: 40 000 words there made that lookup
// miss the cache.
func personBits(low string) uint8 {
	h := personHash(low)
	for i := h & personTable.mask; ; i = (i + 1) & personTable.mask {
		switch sl := personTable.slots[i]; {
		case sl == 0:
			return 0
		case sl&^0xff == h&^0xff:
			return uint8(sl)
		}
	}
}

// personTable holds, per word, its 64-bit hash with the low byte replaced by
// the word's bits (8 bytes a word: the table stays in cache; two of 40 000
// words share 56 bits of hash with odds of one in ten billion).
var personTable struct {
	slots []uint64 // 0: empty
	mask  uint64
}

// personHash hashes w with its ASCII capitals lowered, so personBits reads a
// capitalised word of the text ("Apollo") without a lowered copy.
func personHash(w string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		h ^= uint64(lowerASCII[w[i]])
		h *= fnvPrime
	}
	if h&^0xff == 0 {
		h |= 0x100
	}
	return h
}

// buildPersonTable fills personTable from personLex and the plurals of its
// person and group nouns.
func buildPersonTable() {
	all := make(map[string]uint8, 2*len(personLex))
	for w, b := range personLex {
		all[w] |= b
	}
	for w, b := range personLex {
		nb := b &^ (pName | pAmbiName)
		if nb == 0 {
			continue
		}
		n := len(w)
		plurals := []string{w + "s"}
		switch {
		case strings.HasSuffix(w, "man"):
			plurals = append(plurals, w[:n-3]+"men")
		case strings.HasSuffix(w, "y") && n > 1 && !strings.ContainsRune("aeiou", rune(w[n-2])):
			plurals = append(plurals, w[:n-1]+"ies")
		case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z"):
			plurals = append(plurals, w+"es")
		}
		for _, p := range plurals {
			if _, ok := personLex[p]; !ok && len(p) >= 4 {
				all[p] |= nb
			}
		}
	}
	n := 1
	for n < 2*len(all) {
		n <<= 1
	}
	personTable.slots = make([]uint64, n)
	personTable.mask = uint64(n - 1)
	for w, b := range all {
		h := personHash(w)
		i := h & personTable.mask
		for personTable.slots[i] != 0 {
			i = (i + 1) & personTable.mask
		}
		personTable.slots[i] = h&^0xff | uint64(b)
	}
}

func init() { buildPersonTable() }

// humanVerbs are verbs only people do: a capitalised word right before one
// is a person ("Marsala did", "Walsh said", "Kate apologised").
var humanVerbs = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`said says told tells wrote writes explained explains admitted admits
		apologised apologized apologises apologizes apologise apologize insisted insists claimed claims
		decided decides believed believes thought thinks felt feels assumed assumes realised realized
		noticed notices forgot forgets remembered remembers refused refuses promised promises agreed agrees
		argued argues complained complains replied replies asked asks answered answers joked laughed
		wanted wants hoped hopes knew knows understood misunderstood misjudged misread neglected ignored
		confessed confesses suggested suggests recalled recalls commented comments tweeted posted emailed
		messaged texted phoned called noted notes stated states announced announces revealed reveals
		blamed blames accused accuses resigned resigns quit decided opted chose insisted panicked
		hesitated guessed wondered worried doubted intended meant tried bothered dared volunteered`) {
		humanVerbs[w] = true
	}
}

// techProper are names of software, services and platforms that are also
// first names or person nouns (Travis, Jenkins, Hudson, Cassandra, Hugo).
const techProper = `travis jenkins hudson cassandra hugo jekyll jasmine karma mocha jest cypress
	aurora athena neptune alexa siri cortana ruby julia crystal elixir erlang dart swift rust perl
	python java scala kotlin groovy clojure haskell ocaml lua php node deno bun rails django flask
	sinatra laravel symfony spring ember angular react vue svelte gatsby hugo electron cordova ionic
	hadoop hive spark flink storm kafka zookeeper celery sidekiq resque rabbitmq nova neutron keystone
	cinder swift glance heat ceph gluster zuul argo flux harbor quay nagios zabbix sentry bugsnag
	rollbar loki tempo thanos cortex mimir envoy istio linkerd traefik caddy varnish squid haproxy
	apache tomcat jetty maven gradle ivy ant bazel buck pants oracle mariadb mongo mongodb couchdb
	cockroach cockroachdb vitess citus presto trino druid pinot superset metabase looker tableau
	airflow dagster prefect luigi oozie sqoop nifi logstash kibana fluentd fluentbit vector filebeat
	graylog splunk newrelic dynatrace honeycomb lightstep jaeger zipkin opsgenie victorops xmatters
	statuspage heroku netlify vercel fastly akamai cloudfront digitalocean linode hetzner ovh
	openstack vmware xen kvm qemu virtualbox vagrant packer nomad consul vault boundary waypoint
	pulumi chef puppet salt saltstack ansible rundeck spinnaker tekton drone buildkite bamboo teamcity
	travisci circleci appveyor bitbucket gerrit phabricator jira confluence trello asana notion
	discord mattermost zulip irc matrix element signal telegram whatsapp teams zoom webex
	ubuntu debian fedora centos rhel alpine arch gentoo suse opensuse windows macos ios android
	chrome chromium firefox safari edge opera webkit blink gecko servo
	copilot gemini claude bard llama mistral falcon`

// techNouns are common nouns for software agents that WordNet lists as
// people: in a postmortem they are things.
const techNouns = `server servers host hosts client clients driver drivers handler handlers
	controller controllers master masters slave slaves proxy proxies broker brokers runner runners
	monitor monitors scheduler schedulers compiler compilers interpreter interpreters loader loaders
	reader readers writer writers sender senders receiver receivers listener listeners subscriber
	subscribers publisher publishers consumer consumers producer producers
	caller callers callee peer peers follower followers leader leaders guest guests checker checkers
	watcher watchers observer observers tracker trackers logger loggers printer printers scanner
	scanners crawler crawlers daemon daemons collector collectors executor executors reaper reapers
	killer sweeper allocator allocators orchestrator orchestrators router routers switcher shifter
	sentinel sentinels sentry carrier carriers courier mover solver solvers arbiter resolver
	resolvers forwarder relay relays provider providers supplier dependent dependents descendant
	descendants ancestor ancestors parent parents child children sibling siblings keeper gatekeeper
	miner miners guard guards guide guides tenant tenants mate witness helper helpers
	instance primary secondary replica standby backup announcer talker speaker
	speakers shaker porter conductor messenger messengers
	terminator validator validators notifier notifiers fetcher fetchers builder builders tester
	testers bot bots agent agents operator-pattern`

// personFirstHeads are person nouns that also name software agents, but in
// the writing the corpus holds name people far more often ("a worker cut
// the cable", "the trader keyed in £300m", "a 911 dispatcher fell
// asleep"): a person unless a technical word comes right before ("the
// background worker", "the Celery workers" stay things; a capitalised
// organisation does not: "a Mizuho Securities trader").
var personFirstHeads = wordSet(`worker workers dispatcher dispatchers trader traders banker bankers
	cashier cashiers teller tellers dealer dealers`)

// techModifiers before a person noun make it a component: "the package
// manager", "the cluster coordinator", "the lock owner"; not "release" or
// "account", whose managers and owners are people ("the release manager").
var techModifiers = map[string]bool{}

// addTechWords adds the technical names and nouns to the lexicon (called by
// the lexicon's init before it builds its table).
func addTechWords() {
	addWords(fSystem, techProper)
	addWords(fSystem, techNouns)
	for _, w := range strings.Fields(`package window cluster resource resources secret secrets task memory
		connection certificate node lock session device state dependency version config configuration
		file process traffic load queue job event message network service container pod volume
		transaction cache thread worker replication leader partition shard storage disk build
		deployment deploy pipeline workflow repository repo branch query request api system
		database db kubernetes k8s cloud dns vm vpc identity access key token background ci web async batch
		cron celery sidekiq resque gunicorn uwsgi puma unicorn render compute ingest ingestion indexing sync
		import export upload download email mail image video`) {
		techModifiers[w] = true
	}
}
