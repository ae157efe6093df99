package sqldb

import (
	"errors"
	"strings"
	"testing"
)

// Redact hides passwords in URLs and DSNs whatever their scheme, and
// leaves everything else as it was; RedactError does so in an error's
// text and keeps the error chain.
func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://pm:hunter2@db:5432/pm?sslmode=require": "postgres://pm:xxxxx@db:5432/pm?sslmode=require",
		"mysql://pm:hunter2@db/pm":                         "mysql://pm:xxxxx@db/pm",
		"postgresql+x://pm:hu@nter2@db/pm?x=%zz":           "postgresql+x://pm:xxxxx@db/pm?x=%zz",
		"host=db user=pm password=hunter2 dbname=pm":       "host=db user=pm password=xxxxx dbname=pm",
		"host=db password='hun ter2' sslpassword=k2":       "host=db password=xxxxx sslpassword=xxxxx",
		"postgres://db/pm?user=pm&password=hunter2&x=1":    "postgres://db/pm?user=pm&password=xxxxx&x=1",
		"postgres://pm@db/pm":                              "postgres://pm@db/pm",
		"/data/postmortem.db":                              "/data/postmortem.db",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	base := errors.New("cannot open postgres://pm:hunter2@db/pm: refused")
	err := RedactError(base, "postgres://pm:hunter2@db/pm")
	if strings.Contains(err.Error(), "hunter2") || !errors.Is(err, base) {
		t.Fatalf("%v (is base: %v)", err, errors.Is(err, base))
	}
	if err := CheckURL("mysql://pm:hunter2@db/pm"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("CheckURL: %v", err)
	}
}
