package devstack

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is a child process of the stack, whose output goes to the stack's
// log with its name in front of each line.
type Process struct {
	Name string

	// stopSignal is the signal that Stop sends: SIGTERM unless set.
	stopSignal syscall.Signal

	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startProcess starts cmd and copies its output, line by line, to logs.
func startProcess(name string, cmd *exec.Cmd, logs io.Writer) (*Process, error) {
	reader, writer := io.Pipe()
	cmd.Stdout = writer
	cmd.Stderr = writer
	// A process group of its own keeps a terminal's Ctrl-C away from the
	// child, so the stack stops its children in order.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("devstack: start %s (%s): %w", name, cmd.Path, err)
	}

	p := &Process{Name: name, cmd: cmd, done: make(chan struct{})}
	var copying sync.WaitGroup
	copying.Go(func() { copyLines(logs, reader, name) })
	go func() {
		p.err = cmd.Wait()
		_ = writer.Close()
		copying.Wait()
		close(p.done)
	}()
	return p, nil
}

func copyLines(logs io.Writer, r io.Reader, name string) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		fmt.Fprintf(logs, "%-9s| %s\n", name, scanner.Text())
	}
	// Drain what a too-long line left, so the child never blocks on a full
	// pipe.
	_, _ = io.Copy(io.Discard, r)
}

// Pid returns the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited, and its error if so.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM, or the process's own stop signal, and waits up to
// timeout for the process to exit, then kills it. It returns the exit error
// of a process that did not exit cleanly.
func (p *Process) Stop(timeout time.Duration) error {
	if exited, _ := p.Exited(); exited {
		return nil
	}
	signal := p.stopSignal
	if signal == 0 {
		signal = syscall.SIGTERM
	}
	if err := p.signal(signal); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}

	select {
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("devstack: %s (pid %d) exited with %w after %s", p.Name, p.Pid(), p.err, signal)
		}
		return nil
	case <-time.After(timeout):
		p.Kill()
		return fmt.Errorf("devstack: %s (pid %d) did not exit within %s of %s and was killed", p.Name, p.Pid(), timeout, signal)
	}
}

// Kill sends SIGKILL and waits for the process to exit.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func (p *Process) signal(sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("devstack: send %s to %s (pid %d): %w", sig, p.Name, p.Pid(), err)
	}
	return nil
}

// Pause freezes the process with SIGSTOP, as a hung process would be.
func (p *Process) Pause() error { return p.signal(syscall.SIGSTOP) }

// Resume continues the process after Pause.
func (p *Process) Resume() error { return p.signal(syscall.SIGCONT) }
