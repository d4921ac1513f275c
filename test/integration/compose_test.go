package integration

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests read compose.yaml, the Dockerfiles and the services'
// configuration source, and need no Docker engine. They catch a compose file
// that drifts from the code: a variable no service reads, ports that do not
// line up, a start order without health checks.

// goServices are the compose services built from this repository's Go code.
var goServices = []struct {
	name string

	// configDir is the package, relative to the repository root, that
	// declares the service's Config struct.
	configDir string

	// required are the variables that compose must set, because their
	// defaults point at 127.0.0.1, which inside a container is the service
	// itself.
	required []string
}{
	{name: "api", configDir: "services/api", required: []string{"HTTP_ADDR", "NATS_URL", "REDIS_URL", "DATABASE_URL"}},
	{name: "worker", configDir: "services/worker", required: []string{"HTTP_ADDR", "NATS_URL", "REDIS_URL"}},
}

func TestComposeServicesDefined(t *testing.T) {
	file := loadCompose(t)

	for _, name := range []string{"nats", "redis", "postgres", "api", "worker", "nginx"} {
		t.Run(name, func(t *testing.T) {
			service := mustService(t, file, name)
			assert.Equal(t, "unless-stopped", service.Restart, "restart policy")
		})
	}
}

func TestComposeWorkerReplicas(t *testing.T) {
	worker := mustService(t, loadCompose(t), "worker")

	require.NotNil(t, worker.Deploy.Replicas, "worker should set deploy.replicas")
	assert.Equal(t, 2, *worker.Deploy.Replicas)
}

func TestComposeEnvironmentMatchesConfig(t *testing.T) {
	file := loadCompose(t)
	reader := newConfigReader(t)

	for _, tt := range goServices {
		t.Run(tt.name, func(t *testing.T) {
			service := mustService(t, file, tt.name)
			variables := reader.variables(tt.configDir, "Config")

			for name, value := range service.Environment {
				variable, ok := variables[name]
				if !assert.Truef(t, ok, "compose sets %s on %s, but %s/Config does not read it", name, tt.name, tt.configDir) {
					continue
				}

				// A pass-through such as ${MAX_INDEX:-1000000} should fall
				// back to the service's own default.
				if fallback, ok := fallbackOf(value, name); ok && variable.HasDefault {
					assert.Equalf(t, variable.Default, fallback, "compose default of %s on %s", name, tt.name)
				}
			}

			for _, name := range tt.required {
				assert.NotEmptyf(t, service.Environment[name], "compose should set %s on %s", name, tt.name)
			}
			for name, variable := range variables {
				if variable.Required {
					assert.NotEmptyf(t, service.Environment[name], "%s is required by %s", name, tt.configDir)
				}
			}
		})
	}
}

func TestComposeJobSettingsAgree(t *testing.T) {
	file := loadCompose(t)
	api := mustService(t, file, "api")
	worker := mustService(t, file, "worker")

	// Either service may create the stream and its consumers, so they must
	// see the same job settings.
	jobs := newConfigReader(t).variables("shared/config", "Jobs")
	for name := range jobs {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, api.Environment[name], worker.Environment[name], "api and worker values")
		})
	}
}

func TestComposeConnectionURLs(t *testing.T) {
	file := loadCompose(t)
	postgres := mustService(t, file, "postgres")

	tests := []struct {
		service  string
		variable string
		scheme   string
		host     string
		port     string
	}{
		{service: "api", variable: "NATS_URL", scheme: "nats", host: "nats", port: "4222"},
		{service: "api", variable: "REDIS_URL", scheme: "redis", host: "redis", port: "6379"},
		{service: "api", variable: "DATABASE_URL", scheme: "postgres", host: "postgres", port: "5432"},
		{service: "worker", variable: "NATS_URL", scheme: "nats", host: "nats", port: "4222"},
		{service: "worker", variable: "REDIS_URL", scheme: "redis", host: "redis", port: "6379"},
	}
	for _, tt := range tests {
		t.Run(tt.service+" "+tt.variable, func(t *testing.T) {
			raw := mustService(t, file, tt.service).Environment[tt.variable]
			parsed, err := url.Parse(interpolate(raw, map[string]string{"POSTGRES_PASSWORD": "secret"}))
			require.NoErrorf(t, err, "%s=%q", tt.variable, raw)

			assert.Equal(t, tt.scheme, parsed.Scheme, "scheme")
			assert.Equal(t, tt.host, parsed.Hostname(), "host")
			assert.Equal(t, tt.port, parsed.Port(), "port")
			mustService(t, file, parsed.Hostname())

			if tt.variable == "DATABASE_URL" {
				assert.Equal(t, postgres.Environment["POSTGRES_USER"], parsed.User.Username(), "user")
				assert.Equal(t, "/"+postgres.Environment["POSTGRES_DB"], parsed.Path, "database")
			}
		})
	}
}

func TestComposePortsMatch(t *testing.T) {
	root := repoRoot(t)
	file := loadCompose(t)
	api := mustService(t, file, "api")
	worker := mustService(t, file, "worker")
	nginx := mustService(t, file, "nginx")
	nats := mustService(t, file, "nats")

	apiPort := listenPort(t, api.Environment["HTTP_ADDR"])
	workerPort := listenPort(t, worker.Environment["HTTP_ADDR"])
	nginxPort := listenPort(t, nginx.Environment["FIBSTACK_LISTEN"])
	upstream := nginx.Environment["FIBSTACK_API_UPSTREAM"]
	upstreamHost, _, _ := strings.Cut(upstream, ":")

	tests := []struct {
		name string
		got  []string
		want string
	}{
		{name: "api EXPOSE", got: finalStage(t, root, api).exposedPorts(), want: apiPort},
		{name: "worker EXPOSE", got: finalStage(t, root, worker).exposedPorts(), want: workerPort},
		{name: "nginx EXPOSE", got: finalStage(t, root, nginx).exposedPorts(), want: nginxPort},
		{name: "nginx upstream port", got: []string{listenPort(t, upstream)}, want: apiPort},
		{name: "nginx upstream host", got: []string{upstreamHost}, want: "api"},
		{name: "nginx published", got: targetPorts(nginx), want: nginxPort},
		{name: "nginx healthcheck", got: healthcheckPorts(nginx), want: nginxPort},
		{name: "nats published", got: targetPorts(nats), want: "4222"},
		{name: "nats healthcheck", got: healthcheckPorts(nats), want: flagValue(nats.Command, "-m")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEmpty(t, tt.want, "expected port")
			assert.Contains(t, tt.got, tt.want)
		})
	}
}

func TestComposeHealthchecks(t *testing.T) {
	file := loadCompose(t)

	// The Go images are distroless, with no shell or HTTP client, so their
	// binaries check themselves and the test must use the exec form.
	tests := []struct {
		service string
		want    []string
	}{
		{service: "api", want: []string{"CMD", "/api", "-healthcheck"}},
		{service: "worker", want: []string{"CMD", "/worker", "-healthcheck"}},
		{service: "nats"},
		{service: "redis"},
		{service: "postgres"},
		{service: "nginx"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			service := mustService(t, file, tt.service)
			require.NotNil(t, service.Healthcheck, "healthcheck")
			require.NotEmpty(t, service.Healthcheck.Test, "healthcheck test")
			assert.NotEqual(t, "NONE", service.Healthcheck.Test[0], "healthcheck test")

			if tt.want != nil {
				assert.Equal(t, tt.want, []string(service.Healthcheck.Test))
			}
		})
	}
}

func TestComposeDependsOnHealthy(t *testing.T) {
	file := loadCompose(t)

	tests := []struct {
		service string
		want    []string
	}{
		{service: "api", want: []string{"nats", "redis", "postgres"}},
		{service: "worker", want: []string{"nats", "redis"}},
		{service: "nginx", want: []string{"api"}},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			service := mustService(t, file, tt.service)
			for _, name := range tt.want {
				assert.Containsf(t, service.DependsOn, name, "%s should depend on %s", tt.service, name)
			}
		})
	}

	for name, service := range file.Services {
		for dependency, condition := range service.DependsOn {
			t.Run(name+" on "+dependency, func(t *testing.T) {
				assert.Equal(t, "service_healthy", condition, "condition")

				target := mustService(t, file, dependency)
				assert.NotNilf(t, target.Healthcheck, "%s should have a healthcheck for service_healthy", dependency)
			})
		}
	}
}

func TestComposeVolumes(t *testing.T) {
	file := loadCompose(t)

	tests := []struct {
		service string
		target  string
	}{
		{service: "nats", target: "/data"},
		{service: "redis", target: "/data"},
		{service: "postgres", target: "/var/lib/postgresql/data"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			service := mustService(t, file, tt.service)

			var volume string
			for _, mount := range service.Volumes {
				source, target, _ := strings.Cut(mount, ":")
				target, _, _ = strings.Cut(target, ":")
				if target == tt.target {
					volume = source
				}
			}
			require.NotEmptyf(t, volume, "%s should mount a volume on %s", tt.service, tt.target)
			assert.Containsf(t, file.Volumes, volume, "%s should be a named volume", volume)
		})
	}

	assert.Equal(t, "/data", flagValue(mustService(t, file, "nats").Command, "-sd"), "JetStream store directory")
}

func TestComposeRedisAppendOnly(t *testing.T) {
	redis := mustService(t, loadCompose(t), "redis")

	assert.Equal(t, "yes", flagValue(redis.Command, "--appendonly"), "redis-server --appendonly")
}

func TestComposeNoLiteralPassword(t *testing.T) {
	file := loadCompose(t)

	postgres := mustService(t, file, "postgres")
	assert.Truef(t, isVariableReference(postgres.Environment["POSTGRES_PASSWORD"], "POSTGRES_PASSWORD"),
		"POSTGRES_PASSWORD should come from the environment, got %q", postgres.Environment["POSTGRES_PASSWORD"])

	secretName := regexp.MustCompile(`PASSWORD|SECRET|TOKEN`)
	urlPassword := regexp.MustCompile(`://[^:/@\s]+:(.+)@`)
	for serviceName, service := range file.Services {
		for name, value := range service.Environment {
			if secretName.MatchString(name) {
				assert.Truef(t, strings.HasPrefix(value, "${"), "%s on %s should come from the environment, got %q", name, serviceName, value)
			}
			if match := urlPassword.FindStringSubmatch(value); match != nil {
				assert.Truef(t, isVariableReference(match[1], "POSTGRES_PASSWORD"),
					"the password in %s on %s should be ${POSTGRES_PASSWORD}", name, serviceName)
			}
		}
	}
}

func TestComposeDockerfilesNonRoot(t *testing.T) {
	root := repoRoot(t)
	file := loadCompose(t)

	for name, service := range file.Services {
		if service.Build.Context == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			stage := finalStage(t, root, service)
			assert.Truef(t, stage.runsAsNonRoot(), "the final stage (FROM %s, USER %q) should run as a non-root user", stage.Base, stage.user())
		})
	}
}

// TestComposeConfigCommand runs `docker compose config`, which interpolates
// and validates the file against the compose specification. It needs the
// docker CLI and its compose plugin, but no engine.
func TestComposeConfigCommand(t *testing.T) {
	root := repoRoot(t)
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not found")
	}
	if err := exec.CommandContext(t.Context(), "docker", "compose", "version").Run(); err != nil {
		t.Skipf("docker compose plugin not available: %v", err)
	}

	tests := []struct {
		name     string
		password string
		wantErr  string
	}{
		{name: "password set", password: "test"},
		{name: "password missing", wantErr: "POSTGRES_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.password == "" {
				if _, err := os.Stat(filepath.Join(root, ".env")); err == nil {
					t.Skip(".env in the repository root may set POSTGRES_PASSWORD")
				}
			}

			command := exec.CommandContext(t.Context(), "docker", "compose",
				"--project-directory", root, "-f", filepath.Join(root, "compose.yaml"), "config", "--quiet")
			command.Env = environWithout("POSTGRES_PASSWORD")
			if tt.password != "" {
				command.Env = append(command.Env, "POSTGRES_PASSWORD="+tt.password)
			}
			output, err := command.CombinedOutput()

			if tt.wantErr == "" {
				assert.NoErrorf(t, err, "docker compose config: %s", output)
				return
			}
			assert.Error(t, err, "docker compose config should fail")
			assert.Contains(t, string(output), tt.wantErr)
		})
	}
}

// finalStage parses the Dockerfile of a service with a build section and
// returns its last stage, the one that becomes the image.
func finalStage(t *testing.T, root string, service composeService) dockerStage {
	t.Helper()

	require.NotEmpty(t, service.Build.Context, "build context")
	dockerfile := service.Build.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	path := filepath.Join(root, service.Build.Context, dockerfile)
	require.FileExists(t, path)

	stages := parseDockerfile(t, path)
	return stages[len(stages)-1]
}

// targetPorts returns the container ports that a service publishes.
func targetPorts(service composeService) []string {
	var ports []string
	for _, port := range service.Ports {
		ports = append(ports, port.Target)
	}
	return ports
}

var loopbackURLPort = regexp.MustCompile(`://(?:127\.0\.0\.1|localhost):(\d+)`)

// healthcheckPorts returns the ports of the loopback URLs in a service's
// healthcheck.
func healthcheckPorts(service composeService) []string {
	if service.Healthcheck == nil {
		return nil
	}
	var ports []string
	for _, argument := range service.Healthcheck.Test {
		for _, match := range loopbackURLPort.FindAllStringSubmatch(argument, -1) {
			ports = append(ports, match[1])
		}
	}
	return ports
}

// flagValue returns the argument after flag in command, or "".
func flagValue(command []string, flag string) string {
	index := slices.Index(command, flag)
	if index < 0 || index+1 >= len(command) {
		return ""
	}
	return command[index+1]
}

// fallbackOf returns the default of a value of the form ${name:-default}.
func fallbackOf(value, name string) (string, bool) {
	prefix := "${" + name + ":-"
	if !strings.HasPrefix(value, prefix) || !strings.HasSuffix(value, "}") {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(value, prefix), "}"), true
}

// environWithout returns the process environment without the variable name.
func environWithout(name string) []string {
	var environ []string
	for _, entry := range os.Environ() {
		if !strings.HasPrefix(entry, name+"=") {
			environ = append(environ, entry)
		}
	}
	return environ
}
