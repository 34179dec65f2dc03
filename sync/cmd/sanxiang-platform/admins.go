package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

const adminUsage = `sanxiang-platform admin — the platform's administrators and API tokens

  admin add --login L --name N --role city|agency|operator [--agency CODE]
                       make an administrator; the password is read from the
                       terminal (asked twice) or from the first line of stdin
  admin password --login L     set a new password the same way
  admin list                   list the administrators
  admin deactivate --login L   stop an administrator (their sessions end)
  admin token add --name N --scopes catalog,people,… [--agency CODE]
                       make an API token for a program; prints its secret once
  admin token rotate --name N  give a token a new secret (prints it); the old one stops
  admin token revoke --name N  stop a token for good
  admin token list             list the tokens
  admin audit verify           check the audit log's hash chain

Every command takes --db and --media as the platform does. What it does is
written to the audit log as done by "cli".`

// adminSubcommand runs "sanxiang-platform admin …".
func adminSubcommand(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", adminUsage)
	}
	verb := args[0]
	if verb == "token" || verb == "audit" {
		if len(args) < 2 {
			return fmt.Errorf("%s", adminUsage)
		}
		verb, args = verb+" "+args[1], args[1:]
	}
	fs := flag.NewFlagSet("admin "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbPath := fs.String("db", envOr("SANXIANG_DB", "platform.db"), "the platform's database")
	media := fs.String("media", os.Getenv("SANXIANG_MEDIA"), "the platform's media store")
	login := fs.String("login", "", "the administrator's login")
	name := fs.String("name", "", "the administrator's or the token's name")
	role := fs.String("role", "", "city, agency or operator")
	agency := fs.String("agency", "", "the agency code (an agency administrator's; a token held to one agency)")
	scopes := fs.String("scopes", "", "a token's scopes, comma-separated: "+strings.Join(console.Scopes, ","))
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w\n\n%s", err, adminUsage)
	}
	ctx := context.Background()
	s, err := server.Open(ctx, *dbPath, withKey(server.Options{Media: *media}))
	if err != nil {
		return err
	}
	defer s.Close()
	c := s.Console()
	audit := func(action, object, agency, detail string) error {
		return c.Audit(ctx, console.Entry{Actor: "cli", Agency: agency, Action: action, Object: object, Detail: detail})
	}
	switch verb {
	case "add":
		pw, err := readPassword(stdin, stdout)
		if err != nil {
			return err
		}
		if err := s.AddAdmin(ctx, console.Admin{Login: *login, Name: *name, Role: *role, Agency: *agency}, pw, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "administrator %s (%s) added\n", *login, *role)
		return nil
	case "password":
		pw, err := readPassword(stdin, stdout)
		if err != nil {
			return err
		}
		if err := c.SetPassword(ctx, *login, pw); err != nil {
			return err
		}
		return audit("admin.password", *login, "", "")
	case "list":
		list, err := c.Admins(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tNAME\tROLE\tAGENCY\tACTIVE\tCREATED")
		for _, a := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", a.Login, a.Name, a.Role, a.Agency, a.Active, a.Created)
		}
		return tw.Flush()
	case "deactivate":
		if err := c.SetAdminActive(ctx, *login, false); err != nil {
			return err
		}
		return audit("admin.active", *login, "", "false")
	case "token add":
		var list []string
		for _, sc := range strings.Split(*scopes, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				list = append(list, sc)
			}
		}
		secret, err := c.NewToken(ctx, console.Token{Name: *name, Scopes: list, Agency: *agency}, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		return audit("token.add", *name, *agency, strings.Join(list, " "))
	case "token rotate":
		secret, err := c.RotateToken(ctx, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		return audit("token.rotate", *name, "", "")
	case "token revoke":
		if err := c.RevokeToken(ctx, *name); err != nil {
			return err
		}
		return audit("token.revoke", *name, "", "")
	case "token list":
		list, err := c.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSCOPES\tAGENCY\tCREATED\tBY\tROTATED\tREVOKED")
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(t.Scopes, ","), t.Agency, t.Created, t.CreatedBy, t.Rotated, t.Revoked)
		}
		return tw.Flush()
	case "audit verify":
		n, err := c.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "audit log verifies: %d entries\n", n)
		return nil
	}
	return fmt.Errorf("unknown command admin %s\n\n%s", verb, adminUsage)
}

// readPassword reads a new password: from the terminal without echo,
// asked twice, or else the first line of stdin (for scripts). Never a flag:
// flags are seen by every user of the machine and kept in shell history.
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
