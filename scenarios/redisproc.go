package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// redisProc is one redis-server process a Cluster started, in its own
// process group so that stopping it never touches anything else.
type redisProc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// startRedisProc starts bin with args in dir.
func startRedisProc(bin, dir string, args []string) (*redisProc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &redisProc{cmd: cmd, done: make(chan struct{})}
	go func() { // owned: ends when the process exits, which kill forces
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls PING until the server answers (+PONG, or -NOAUTH when
// it has a password; -LOADING is not ready), the process exits, or limit
// passes.
func (p *redisProc) waitReady(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return errors.New("exited before it was ready")
		default:
		}
		if pingOK(addr) {
			return nil
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	return fmt.Errorf("not answering PING after %s", limit)
}

// pingOK reports whether the server at addr answers PING as ready.
func pingOK(addr string) bool {
	c, err := resp.Dial(context.Background(), addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	v, err := c.Do("PING")
	return err == nil && (v.Kind == resp.SimpleString || strings.HasPrefix(string(v.Str), "NOAUTH"))
}

// exited reports whether the process has exited.
func (p *redisProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits up to limit for the process to exit by itself.
func (p *redisProc) waitExit(limit time.Duration) error {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		return fmt.Errorf("pid %d still running after %s", p.cmd.Process.Pid, limit)
	}
}

// kill stops the process group at once and waits for the process.
func (p *redisProc) kill() {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// logTail returns the last lines of a redis-server log, formatted to
// follow an error message, or "".
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return "\nlog " + path + ":\n  " + strings.Join(lines, "\n  ")
}
