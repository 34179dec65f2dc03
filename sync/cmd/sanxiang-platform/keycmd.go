package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

const keyUsage = `sanxiang-platform key show   [--db DB] [--media M] [--key-file F]
sanxiang-platform key rotate [--db DB] [--media M] [--key-file F] [--new-key-file F2]
sanxiang-platform key recovery new --out F [--alg sm2|x25519]
sanxiang-platform key recovery add PUBLIC|--file F.pub [--db DB] [--media M] [--key-file F]
sanxiang-platform key recovery remove PUBLIC|FINGERPRINT [--db DB] [--media M] [--key-file F]
sanxiang-platform key recovery show [--db DB] [--media M] [--key-file F]

show:   the platform's current receipt verifier and every earlier one.
rotate: make a new receipt key. The database keeps the old verifiers, so
        receipts signed before still verify, and a rotation note signed by
        the old key and the new one, which devices follow from the key they
        pinned. The new key replaces the key file (or goes to
        --new-key-file, needed when the key came from $SANXIANG_PLATFORM_KEY).
        Restart every instance with the new key: one still holding the old
        key refuses to start.
recovery new: make a city recovery key (SM2 by default) on the city's
        offline machine: the private key goes to F (0600; keep it offline,
        it opens every desk's data), the public key to F.pub and the screen.
        It needs no database.
recovery add: publish a recovery key (its public form, sm2:… or x25519:…)
        as a note the receipt key signs; desks wrap their data key to it
        at their next sync or enrolment.
recovery remove: stop publishing one; recovery show: the published keys.
--db and --media also come from $SANXIANG_DB and $SANXIANG_MEDIA, the key
file from $SANXIANG_PLATFORM_KEY_FILE.`

// keySubcommand runs "sanxiang-platform key …".
func keySubcommand(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "recovery" {
		return recoverySubcommand(args[1:], out)
	}
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "show") {
		return fmt.Errorf("%s", keyUsage)
	}
	fs := flag.NewFlagSet("key "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbPath := fs.String("db", envOr("SANXIANG_DB", "platform.db"), "the platform's database")
	media := fs.String("media", os.Getenv("SANXIANG_MEDIA"), "the platform's media store")
	kf := fs.String("key-file", *keyFile, "the platform's key file")
	newFile := fs.String("new-key-file", "", "where rotate writes the new key (default: replaces --key-file)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w\n\n%s", err, keyUsage)
	}
	*keyFile = *kf
	ctx := context.Background()
	s, err := server.Open(ctx, *dbPath, withKey(server.Options{Media: *media}))
	if err != nil {
		return err
	}
	defer s.Close()
	if args[0] == "rotate" {
		old := s.PlatformKey()
		next, err := s.RotateKey(ctx, *newFile)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "平台签名密钥已轮换；请用新密钥重启每个平台实例 (the receipt key was rotated; restart every instance with the new key)\nold %s\nnew %s\n", old, next)
		return nil
	}
	set, err := s.KeySet(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "current %s\n", set.Verifier)
	for _, v := range set.Verifiers {
		if v != set.Verifier {
			fmt.Fprintf(out, "earlier %s\n", v)
		}
	}
	return nil
}

// recoverySubcommand runs "sanxiang-platform key recovery …".
func recoverySubcommand(args []string, out io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"new", "add", "remove", "show"}, args[0]) {
		return fmt.Errorf("%s", keyUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("key recovery "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbPath := fs.String("db", envOr("SANXIANG_DB", "platform.db"), "the platform's database")
	media := fs.String("media", os.Getenv("SANXIANG_MEDIA"), "the platform's media store")
	kf := fs.String("key-file", *keyFile, "the platform's key file")
	outFile := fs.String("out", "", "new: the private key file to write")
	alg := fs.String("alg", vault.RecoverySM2, "new: sm2 or x25519")
	pubFile := fs.String("file", "", "add: a file holding the public key")
	// The key may come before or after the flags.
	var positional []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return fmt.Errorf("%w\n\n%s", err, keyUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if verb == "new" {
		if len(positional) > 0 || *outFile == "" {
			return fmt.Errorf("key recovery new: --out F names the private key file\n\n%s", keyUsage)
		}
		return newRecoveryKey(*outFile, *alg, out)
	}
	var public string
	switch verb {
	case "add":
		switch {
		case *pubFile != "" && len(positional) == 0:
			b, err := os.ReadFile(*pubFile)
			if err != nil {
				return fmt.Errorf("key recovery add: %w", err)
			}
			public = strings.TrimSpace(string(b))
			if _, err := vault.ParseRecoveryKey(b); err == nil {
				return fmt.Errorf("key recovery add: %s 是私钥文件，不得交给平台；请给出公钥 (%s.pub) "+
					"(%s is the private key: it stays offline; give the platform its public key)", *pubFile, *pubFile, *pubFile)
			}
		case *pubFile == "" && len(positional) == 1:
			public = positional[0]
		default:
			return fmt.Errorf("key recovery add: give the public key or --file F, one of them\n\n%s", keyUsage)
		}
	case "remove":
		if len(positional) != 1 {
			return fmt.Errorf("key recovery remove: give the public key or its fingerprint\n\n%s", keyUsage)
		}
		public = positional[0]
	default:
		if len(positional) > 0 {
			return fmt.Errorf("key recovery show takes no key\n\n%s", keyUsage)
		}
	}
	*keyFile = *kf
	ctx := context.Background()
	s, err := server.Open(ctx, *dbPath, withKey(server.Options{Media: *media}))
	if err != nil {
		return err
	}
	defer s.Close()
	switch verb {
	case "add":
		msg, err := s.AddRecoveryKey(ctx, public)
		if err != nil {
			return err
		}
		p, _ := vault.OpenRecoveryNote(msg, s.PlatformKey())
		fmt.Fprintf(out, "市级恢复密钥已发布 (the city recovery key is published) %s\n%s", p.Fingerprint(), msg)
		return nil
	case "remove":
		if err := s.RemoveRecoveryKey(ctx, public); err != nil {
			return err
		}
		fmt.Fprintf(out, "市级恢复密钥已停止发布 (the recovery key is no longer published): %s\n", public)
		return nil
	}
	notes, err := s.RecoveryNotes(ctx)
	if err != nil {
		return err
	}
	if len(notes) == 0 {
		fmt.Fprintln(out, "未发布市级恢复密钥 (no city recovery key is published)")
	}
	for _, n := range notes {
		p, err := vault.OpenRecoveryNote(n, s.PlatformKey())
		if err != nil {
			return fmt.Errorf("key recovery show: %w", err)
		}
		since := ""
		if lines := strings.Split(n, "\n"); len(lines) > 2 {
			since = strings.TrimPrefix(lines[2], "since ")
		}
		fmt.Fprintf(out, "%s %s since %s\n", p.Fingerprint(), p, since)
	}
	return nil
}

// newRecoveryKey writes a new recovery key to out (a new file, 0600) and
// its public key to out+".pub".
func newRecoveryKey(path, alg string, out io.Writer) error {
	k, err := vault.NewRecoveryKey(alg)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key recovery new: %w", err)
	}
	_, err = f.Write(k.Marshal())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("key recovery new: %w", err)
	}
	pub := k.Public()
	if err := os.WriteFile(path+".pub", []byte(pub.String()+"\n"), 0o644); err != nil {
		return fmt.Errorf("key recovery new: the private key is in %s, the public key could not be written: %w", path, err)
	}
	fmt.Fprintf(out, "市级恢复密钥已生成；私钥 %s 请离线保管 (the private key stays offline)\npublic %s\nfingerprint %s\n", path, pub, pub.Fingerprint())
	return nil
}
