package devstack

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// nginxTemplate is the config that the nginx image uses too, relative to
// the repository root.
const nginxTemplate = "nginx/templates/fibstack.conf.template"

// templateVariable matches the ${FIBSTACK_...} placeholders of the template.
// nginx's own $variables have no braces, so they are left alone, as the
// image's envsubst does with its filter.
var templateVariable = regexp.MustCompile(`\$\{(FIBSTACK_[A-Z_]+)\}`)

// renderNginxTemplate fills the template's placeholders from values and
// reports the first one missing.
func renderNginxTemplate(template string, values map[string]string) (string, error) {
	var missing string
	rendered := templateVariable.ReplaceAllStringFunc(template, func(match string) string {
		name := templateVariable.FindStringSubmatch(match)[1]
		value, ok := values[name]
		if !ok && missing == "" {
			missing = name
		}
		return value
	})
	if missing != "" {
		return "", fmt.Errorf("devstack: nginx template needs %s, which the launcher does not set", missing)
	}
	return rendered, nil
}

type nginxSettings struct {
	Port        int
	APIAddr     string
	WebRoot     string
	SubmitRate  string
	SubmitBurst int
}

// startNginx writes a main config that includes the rendered template and
// runs nginx in the foreground with dir as its prefix.
func startNginx(ctx context.Context, repoRoot, dir string, settings nginxSettings, logs io.Writer) (*Process, error) {
	template, err := os.ReadFile(filepath.Join(repoRoot, nginxTemplate))
	if err != nil {
		return nil, fmt.Errorf("devstack: read the nginx template: %w", err)
	}
	site, err := renderNginxTemplate(string(template), map[string]string{
		"FIBSTACK_LISTEN":       hostPort(settings.Port),
		"FIBSTACK_API_UPSTREAM": settings.APIAddr,
		"FIBSTACK_WEB_ROOT":     settings.WebRoot,
		"FIBSTACK_SUBMIT_RATE":  settings.SubmitRate,
		"FIBSTACK_SUBMIT_BURST": strconv.Itoa(settings.SubmitBurst),
	})
	if err != nil {
		return nil, err
	}

	tempDir := filepath.Join(dir, "temp")
	if err := os.MkdirAll(tempDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: create nginx directory: %w", err)
	}
	workerUser, err := nginxWorkerUser(tempDir)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "fibstack.conf"), []byte(site), 0o644); err != nil {
		return nil, fmt.Errorf("devstack: write nginx site config: %w", err)
	}
	main := fmt.Sprintf(`# Written by devstack on each start; edit %s instead.
daemon off;
%s
worker_processes 1;
pid %s;
error_log stderr warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path %s/body;
    proxy_temp_path %s/proxy;
    fastcgi_temp_path %s/fastcgi;
    uwsgi_temp_path %s/uwsgi;
    scgi_temp_path %s/scgi;
    include %s;
}
`, nginxTemplate, workerUser, filepath.Join(dir, "nginx.pid"), tempDir, tempDir, tempDir, tempDir, tempDir, filepath.Join(dir, "fibstack.conf"))
	mainPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(mainPath, []byte(main), 0o644); err != nil {
		return nil, fmt.Errorf("devstack: write nginx config: %w", err)
	}

	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, statErr := os.Stat(bin); statErr != nil {
			return nil, fmt.Errorf("devstack: nginx not found: run make deps, or apt-get install nginx: %w", err)
		}
	}
	p, err := startProcess("nginx", exec.Command(bin, "-p", dir, "-c", mainPath, "-e", "stderr"), logs)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, "nginx", p, 15*time.Second, tcpOpen(hostPort(settings.Port))); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}

// nginxWorkerUser returns the user directive for nginx. As root, nginx runs
// its workers as nobody, which must own the temporary files folder; for
// other callers nginx ignores the directive, so none is written.
func nginxWorkerUser(tempDir string) (string, error) {
	if os.Geteuid() != 0 {
		return "", nil
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return "", fmt.Errorf("devstack: look up user nobody for nginx workers: %w", err)
	}
	group, err := user.LookupGroupId(nobody.Gid)
	if err != nil {
		return "", fmt.Errorf("devstack: look up the group of user nobody: %w", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	if err := os.Chown(tempDir, uid, gid); err != nil {
		return "", fmt.Errorf("devstack: give %s to user nobody: %w", tempDir, err)
	}
	return fmt.Sprintf("user nobody %s;", group.Name), nil
}
