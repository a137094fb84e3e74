package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"tipring/board/sim"
	"tipring/config"
	"tipring/hal"
	"tipring/sipua"
	"tipring/telephony"
	"tipring/web"
)

// systemConfig is read when "tipring serve" is given no -config and it exists.
const systemConfig = "/etc/tipring/tipring.toml"

// stopTimeout bounds a clean shutdown.
const stopTimeout = 2 * time.Second

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [-config FILE] [-socket PATH] [-log text|json] [-v]", stderr)
	path := fs.String("config", "", "configuration `file` (default "+systemConfig+" if it exists, else built-in defaults)")
	sock := fs.String("socket", "", "control socket `path`, instead of the configuration's")
	format := fs.String("log", "text", "log format: text or json")
	verbose := fs.Bool("v", false, "log debug messages too")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	var h slog.Handler
	switch *format {
	case "text":
		h = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	case "json":
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	default:
		return fmt.Errorf("-log %q: want text or json", *format)
	}
	log := slog.New(h)

	cfg, from, err := loadServeConfig(*path)
	if err != nil {
		return err
	}
	if *sock != "" {
		cfg.Control.Socket = *sock
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, from, log)
}

// loadServeConfig loads the configuration file, or the built-in defaults.
func loadServeConfig(path string) (*config.Config, string, error) {
	if path == "" {
		if _, err := os.Stat(systemConfig); err != nil {
			return config.Default(), "built-in defaults", nil
		}
		path = systemConfig
	}
	cfg, err := config.Load(path)
	if err != nil {
		var list config.Errors
		if errors.As(err, &list) {
			return nil, "", fmt.Errorf("%s has %d problem(s); \"tipring config check %s\" lists them:\n%v", path, len(list), path, err)
		}
		return nil, "", err
	}
	return cfg, path, nil
}

// serve runs the gateway until ctx is done.
func serve(ctx context.Context, cfg *config.Config, from string, log *slog.Logger) error {
	b, err := openBoard(cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	ports, err := linePorts(cfg, b)
	if err != nil {
		return err
	}
	routes, err := inboundRoutes(cfg)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.Device.Timezone)
	if err != nil {
		return fmt.Errorf("device.timezone: %w", err)
	}
	sc, err := sipConfig(cfg, log)
	if err != nil {
		return err
	}
	var eng *telephony.Engine
	sc.Incoming = func(c *sipua.Call) { eng.Incoming(c) } // eng is set before the UA runs
	sc.MessageWaiting = func(account string, s sipua.MessageSummary) { eng.MessageWaiting(account, s) }
	ua, err := sipua.New(sc)
	if err != nil {
		return err
	}
	eng, err = telephony.New(b.PCM(), ports, telephony.Options{
		Country: cfg.Device.Country, SIP: ua, Inbound: routes, Numbering: numberingPlan(cfg),
		LocalCalls: cfg.Routing.LocalCalls, Location: loc, Log: log,
	})
	if err != nil {
		return err
	}
	sock := cfg.Control.SocketPath()
	ln, err := listenControl(sock)
	if err != nil {
		return err
	}
	api := &web.API{
		Version: version, Board: cfg.Board.Name, Country: cfg.Device.Country,
		Started: time.Now(), Engine: eng, SIP: ua, Sim: b, Log: log,
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	log.Info("tipring starting", "version", version, "config", from, "board", cfg.Board.Name,
		"lines", len(ports), "country", cfg.Device.Country, "control", sock)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 3)
	go func() { errc <- eng.Run(ctx) }()
	go func() { errc <- ua.Run(ctx) }()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("control API: %w", err)
			return
		}
		errc <- nil
	}()

	pending := 3
	var runErr error
	select {
	case <-ctx.Done():
		log.Info("tipring stopping")
	case runErr = <-errc:
		pending--
		log.Error("tipring failed", "err", runErr)
	}
	cancel()
	srv.Close() // not Shutdown: a sim recording may hold a request open
	os.Remove(sock)
	deadline := time.After(stopTimeout)
	for ; pending > 0; pending-- {
		select {
		case err := <-errc:
			runErr = errors.Join(runErr, err)
		case <-deadline:
			return errors.New("tipring did not stop within 2 s")
		}
	}
	if runErr == nil {
		log.Info("tipring stopped")
	}
	return runErr
}

// openBoard builds the board the configuration names, with a port for each
// line.
func openBoard(cfg *config.Config) (*sim.Board, error) {
	if cfg.Board.Name != "sim" {
		return nil, fmt.Errorf("board.name: unknown board %q (known: sim)", cfg.Board.Name)
	}
	kinds := make([]hal.Kind, len(cfg.Lines))
	for _, l := range cfg.Lines {
		if l.ID < 1 || l.ID > len(cfg.Lines) {
			return nil, fmt.Errorf("lines: the sim board numbers its ports 1 to %d, one per line; line id %d is out of that range", len(cfg.Lines), l.ID)
		}
		switch l.Kind {
		case config.FXS:
			kinds[l.ID-1] = hal.KindFXS
		case config.FXO:
			kinds[l.ID-1] = hal.KindFXO
		default:
			return nil, fmt.Errorf("line %d: the sim board has no %s ports yet", l.ID, l.Kind)
		}
	}
	return sim.New(sim.Opts{Ports: kinds, Country: cfg.Device.Country, Paced: true})
}

// listenControl opens the control socket, mode 0600, replacing a stale one
// left by a daemon that died but refusing to steal a live one.
func listenControl(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s is in use: is another tipring running?", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return ln, nil
}
