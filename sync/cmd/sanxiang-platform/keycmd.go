package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sanxiang-desk/sanxiang/sync/server"
)

const keyUsage = `sanxiang-platform key show   [--db DB] [--media M] [--key-file F]
sanxiang-platform key rotate [--db DB] [--media M] [--key-file F] [--new-key-file F2]

show:   the platform's current receipt verifier and every earlier one.
rotate: make a new receipt key. The database keeps the old verifiers, so
        receipts signed before still verify, and a rotation note signed by
        the old key and the new one, which devices follow from the key they
        pinned. The new key replaces the key file (or goes to
        --new-key-file, needed when the key came from $SANXIANG_PLATFORM_KEY).
        Restart every instance with the new key: one still holding the old
        key refuses to start.
--db and --media also come from $SANXIANG_DB and $SANXIANG_MEDIA, the key
file from $SANXIANG_PLATFORM_KEY_FILE.`

// keySubcommand runs "sanxiang-platform key …".
func keySubcommand(args []string, out io.Writer) error {
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
