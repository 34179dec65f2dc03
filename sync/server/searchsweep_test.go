package server_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// searchChild, set in a child test process, makes it a platform that
// builds its search copy, says where, and waits to be killed.
const searchChild = "SANXIANG_SEARCH_CHILD"

// TestSearchCopyOfACrashedPlatformIsSwept: a platform killed with SIGKILL
// leaves its search copy in the temporary folder; the next platform that
// builds one removes it, and leaves alone the copy a live platform holds.
func TestSearchCopyOfACrashedPlatformIsSwept(t *testing.T) {
	if os.Getenv(searchChild) != "" {
		s := servertest.Backends(t)[0].Open(t, server.Options{})
		if _, err := s.SearchLists(context.Background(), catalog.Query{Kind: catalog.KindDecision}); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "sanxiang-search-*"))
		fmt.Println("copies:", strings.Join(dirs, "|"))
		time.Sleep(time.Minute) // killed long before
		os.Exit(2)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^TestSearchCopyOfACrashedPlatformIsSwept$", "-test.count=1")
	child.Env = append(os.Environ(), searchChild+"=1", "TMPDIR="+tmp)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var crashed string
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if rest, ok := strings.CutPrefix(sc.Text(), "copies: "); ok {
			crashed = rest
			break
		}
		if strings.HasPrefix(sc.Text(), "error:") {
			t.Fatal(sc.Text())
		}
	}
	if crashed == "" || strings.Contains(crashed, "|") {
		child.Process.Kill()
		t.Fatalf("the child platform's search copies: %q", crashed)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no Close, no clean-up
		t.Fatal(err)
	}
	child.Wait()
	if _, err := os.Stat(filepath.Join(crashed, "lists.db")); err != nil {
		t.Fatalf("the killed platform left no copy to sweep: %v", err)
	}

	// A live platform's copy, then a new platform's first search.
	ctx := context.Background()
	live := servertest.Backends(t)[0].Open(t, server.Options{})
	if _, err := live.SearchLists(ctx, catalog.Query{Kind: catalog.KindDecision}); err != nil {
		t.Fatal(err)
	}
	liveCopies, _ := filepath.Glob(filepath.Join(tmp, "sanxiang-search-*"))
	if len(liveCopies) != 1 { // the live one; the crashed copy was swept as it built
		t.Fatalf("after the live platform's first search: %q (crashed %s)", liveCopies, crashed)
	}
	if liveCopies[0] == crashed {
		t.Fatalf("the crashed copy %s is still there and no new copy was made", crashed)
	}
	next := servertest.Backends(t)[0].Open(t, server.Options{})
	if _, err := next.SearchLists(ctx, catalog.Query{Kind: catalog.KindDecision}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(liveCopies[0]); err != nil {
		t.Errorf("a live platform's copy was swept: %v", err)
	}
	if _, err := os.Stat(crashed); err == nil {
		t.Errorf("the crashed platform's copy %s is still there", crashed)
	}
	if _, err := live.SearchLists(ctx, catalog.Query{Kind: catalog.KindDecision}); err != nil {
		t.Errorf("the live platform searches no more: %v", err)
	}
}
