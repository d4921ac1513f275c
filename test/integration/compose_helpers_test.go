package integration

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// modulePrefix is the import path prefix of the repository's modules. The
// directory of a package below it is its import path without the prefix.
const modulePrefix = "github.com/fibstack/fibstack/"

// composeFile is the part of compose.yaml that the tests check.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string        `yaml:"image"`
	Build       composeBuild  `yaml:"build"`
	Command     stringList    `yaml:"command"`
	Environment environment   `yaml:"environment"`
	Ports       []portMapping `yaml:"ports"`
	Volumes     []string      `yaml:"volumes"`
	Healthcheck *healthcheck  `yaml:"healthcheck"`
	DependsOn   dependencies  `yaml:"depends_on"`
	Deploy      composeDeploy `yaml:"deploy"`
	Restart     string        `yaml:"restart"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// UnmarshalYAML accepts both the short form (the context directory) and the
// long form of build.
func (b *composeBuild) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		b.Context = node.Value
		return nil
	}
	type plain composeBuild
	return node.Decode((*plain)(b))
}

type composeDeploy struct {
	Replicas *int `yaml:"replicas"`
}

type healthcheck struct {
	Test stringList `yaml:"test"`
}

// stringList is a command: a list of arguments, or one string that compose
// splits as a shell would. This type splits the string on white space only.
type stringList []string

func (l *stringList) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*l = strings.Fields(node.Value)
		return nil
	}
	var list []string
	if err := node.Decode(&list); err != nil {
		return err
	}
	*l = list
	return nil
}

// environment maps variable names to their raw values, before interpolation.
// Compose accepts a mapping or a list of NAME=value strings.
type environment map[string]string

func (e *environment) UnmarshalYAML(node *yaml.Node) error {
	*e = environment{}

	if node.Kind == yaml.SequenceNode {
		var list []string
		if err := node.Decode(&list); err != nil {
			return err
		}
		for _, entry := range list {
			name, value, _ := strings.Cut(entry, "=")
			(*e)[name] = value
		}
		return nil
	}

	// Decoding into a map resolves the << merge keys.
	var values map[string]any
	if err := node.Decode(&values); err != nil {
		return err
	}
	for name, value := range values {
		if value == nil {
			(*e)[name] = ""
			continue
		}
		(*e)[name] = fmt.Sprint(value)
	}
	return nil
}

// dependencies maps each service in depends_on to its condition. The list
// form has no conditions, so its entries map to "".
type dependencies map[string]string

func (d *dependencies) UnmarshalYAML(node *yaml.Node) error {
	*d = dependencies{}

	if node.Kind == yaml.SequenceNode {
		var list []string
		if err := node.Decode(&list); err != nil {
			return err
		}
		for _, name := range list {
			(*d)[name] = ""
		}
		return nil
	}

	var entries map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := node.Decode(&entries); err != nil {
		return err
	}
	for name, entry := range entries {
		(*d)[name] = entry.Condition
	}
	return nil
}

// portMapping is one entry of ports, in the short ("8080:80") or the long
// syntax.
type portMapping struct {
	Published string
	Target    string
}

func (p *portMapping) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		// The short syntax is [[IP:]HOST:]CONTAINER[/PROTOCOL], and a
		// ${VAR:-default} in it contains a colon of its own.
		value := strings.TrimSuffix(strings.TrimSuffix(node.Value, "/tcp"), "/udp")
		separator := strings.LastIndex(value, ":")
		if separator < 0 {
			p.Target = value
			return nil
		}
		p.Published = value[:separator]
		p.Target = value[separator+1:]
		return nil
	}

	var long struct {
		Target    any `yaml:"target"`
		Published any `yaml:"published"`
	}
	if err := node.Decode(&long); err != nil {
		return err
	}
	p.Target = fmt.Sprint(long.Target)
	if long.Published != nil {
		p.Published = fmt.Sprint(long.Published)
	}
	return nil
}

// repoRoot returns the repository root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()

	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.work"), "the repository root should contain go.work")
	return root
}

// loadCompose parses compose.yaml at the repository root.
func loadCompose(t *testing.T) composeFile {
	t.Helper()

	data, err := os.ReadFile(filepath.Join(repoRoot(t), "compose.yaml"))
	require.NoError(t, err)

	var file composeFile
	require.NoError(t, yaml.Unmarshal(data, &file), "compose.yaml should be valid YAML")
	require.NotEmpty(t, file.Services, "compose.yaml should define services")
	return file
}

// mustService returns the service called name from file.
func mustService(t *testing.T, file composeFile, name string) composeService {
	t.Helper()

	service, ok := file.Services[name]
	require.Truef(t, ok, "compose.yaml should define the service %q", name)
	return service
}

var interpolationPattern = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}`)

// interpolate replaces each ${NAME}, ${NAME:-default}, ${NAME:?message} and
// ${NAME:+value} in s (also without the colon) as compose does with an
// environment where only the given variables are set. An unset variable
// without a default becomes "", where compose would fail for ${NAME:?message}.
func interpolate(s string, variables map[string]string) string {
	return interpolationPattern.ReplaceAllStringFunc(s, func(reference string) string {
		parts := interpolationPattern.FindStringSubmatch(reference)
		name, operator, argument := parts[1], parts[2], parts[3]

		value, set := variables[name]
		if operator != "" && operator[0] == ':' && value == "" {
			set = false
		}

		switch strings.TrimPrefix(operator, ":") {
		case "-":
			if !set {
				return argument
			}
		case "+":
			if set {
				return argument
			}
			return ""
		}
		return value
	})
}

// isVariableReference reports whether value is a single reference to the
// variable name, with or without a default or an error message.
func isVariableReference(value, name string) bool {
	pattern := regexp.MustCompile(`^\$\{` + regexp.QuoteMeta(name) + `(?::?[-?][^}]*)?\}$`)
	return pattern.MatchString(value)
}

// listenPort returns the port of a listen address such as ":8000",
// "127.0.0.1:8000", "api:8000" or a bare "8080".
func listenPort(t *testing.T, address string) string {
	t.Helper()

	if !strings.Contains(address, ":") {
		_, err := strconv.ParseUint(address, 10, 16)
		require.NoErrorf(t, err, "%q should be a port number", address)
		return address
	}
	_, port, err := net.SplitHostPort(address)
	require.NoErrorf(t, err, "%q should be a host:port address", address)
	return port
}

// envVariable is one variable that a service reads, from a struct field with
// an env tag.
type envVariable struct {
	Name       string
	Default    string
	HasDefault bool
	Required   bool
}

// goPackage is the parsed source of one package of the repository.
type goPackage struct {
	dir     string
	structs map[string]*ast.StructType
	imports map[string]string // file-level import name to import path
}

// configReader collects the env tags of configuration structs from source,
// because package main cannot be imported. It follows fields of struct types
// without an env tag into their types, as github.com/caarlos0/env does, and
// keeps the names unprefixed unless the field has an envPrefix tag.
type configReader struct {
	t        *testing.T
	root     string
	fset     *token.FileSet
	packages map[string]*goPackage
}

func newConfigReader(t *testing.T) *configReader {
	t.Helper()

	return &configReader{
		t:        t,
		root:     repoRoot(t),
		fset:     token.NewFileSet(),
		packages: map[string]*goPackage{},
	}
}

// variables returns the variables that the struct typeName of the package in
// dir (relative to the repository root) reads, by name.
func (r *configReader) variables(dir, typeName string) map[string]envVariable {
	r.t.Helper()

	pkg := r.parsePackage(dir)
	structType, ok := pkg.structs[typeName]
	require.Truef(r.t, ok, "%s should declare the struct type %s", dir, typeName)

	variables := map[string]envVariable{}
	r.collect(pkg, structType, "", variables)
	require.NotEmptyf(r.t, variables, "%s.%s should have fields with env tags", dir, typeName)
	return variables
}

func (r *configReader) parsePackage(dir string) *goPackage {
	r.t.Helper()

	if pkg, ok := r.packages[dir]; ok {
		return pkg
	}

	files, err := filepath.Glob(filepath.Join(r.root, dir, "*.go"))
	require.NoError(r.t, err)

	pkg := &goPackage{dir: dir, structs: map[string]*ast.StructType{}, imports: map[string]string{}}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(r.fset, name, nil, parser.SkipObjectResolution)
		require.NoErrorf(r.t, err, "failed to parse %s", name)

		for _, spec := range file.Imports {
			importPath, err := strconv.Unquote(spec.Path.Value)
			require.NoError(r.t, err)
			importName := path.Base(importPath)
			if spec.Name != nil {
				importName = spec.Name.Name
			}
			pkg.imports[importName] = importPath
		}

		ast.Inspect(file, func(node ast.Node) bool {
			spec, ok := node.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if structType, ok := spec.Type.(*ast.StructType); ok {
				pkg.structs[spec.Name.Name] = structType
			}
			return false
		})
	}

	r.packages[dir] = pkg
	return pkg
}

func (r *configReader) collect(pkg *goPackage, structType *ast.StructType, prefix string, variables map[string]envVariable) {
	r.t.Helper()

	for _, field := range structType.Fields.List {
		if !isExportedField(field) {
			continue
		}

		var tag reflect.StructTag
		if field.Tag != nil {
			unquoted, err := strconv.Unquote(field.Tag.Value)
			require.NoError(r.t, err)
			tag = reflect.StructTag(unquoted)
		}

		if envTag, ok := tag.Lookup("env"); ok && envTag != "-" {
			name, options, _ := strings.Cut(envTag, ",")
			variable := envVariable{Name: prefix + name}
			variable.Default, variable.HasDefault = tag.Lookup("envDefault")
			variable.Required = strings.Contains(","+options+",", ",required,")
			variables[variable.Name] = variable
			continue
		}

		nestedPackage, nestedStruct := r.resolveStruct(pkg, field.Type)
		if nestedStruct != nil {
			r.collect(nestedPackage, nestedStruct, prefix+tag.Get("envPrefix"), variables)
		}
	}
}

// resolveStruct returns the struct type that expr names, in this package or
// in another package of the repository, or nil for any other type.
func (r *configReader) resolveStruct(pkg *goPackage, expr ast.Expr) (*goPackage, *ast.StructType) {
	r.t.Helper()

	switch typeExpr := expr.(type) {
	case *ast.StarExpr:
		return r.resolveStruct(pkg, typeExpr.X)
	case *ast.StructType:
		return pkg, typeExpr
	case *ast.Ident:
		return pkg, pkg.structs[typeExpr.Name]
	case *ast.SelectorExpr:
		packageName, ok := typeExpr.X.(*ast.Ident)
		if !ok {
			return nil, nil
		}
		importPath, ok := pkg.imports[packageName.Name]
		if !ok || !strings.HasPrefix(importPath, modulePrefix) {
			return nil, nil
		}
		other := r.parsePackage(filepath.FromSlash(strings.TrimPrefix(importPath, modulePrefix)))
		return other, other.structs[typeExpr.Sel.Name]
	}
	return nil, nil
}

func isExportedField(field *ast.Field) bool {
	if len(field.Names) == 0 {
		// An embedded field is named after its type.
		typeExpr := field.Type
		if star, ok := typeExpr.(*ast.StarExpr); ok {
			typeExpr = star.X
		}
		switch name := typeExpr.(type) {
		case *ast.Ident:
			return name.IsExported()
		case *ast.SelectorExpr:
			return name.Sel.IsExported()
		}
		return false
	}
	for _, name := range field.Names {
		if name.IsExported() {
			return true
		}
	}
	return false
}

// dockerStage is one FROM stage of a Dockerfile.
type dockerStage struct {
	Base         string
	Name         string
	Instructions []dockerInstruction
}

type dockerInstruction struct {
	Command   string // upper case, such as USER
	Arguments string
}

// parseDockerfile splits the Dockerfile at path into its stages. It joins
// continuation lines and drops comments, which is enough for FROM, USER,
// EXPOSE and ENV. It does not expand ARG values.
func parseDockerfile(t *testing.T, path string) []dockerStage {
	t.Helper()

	file, err := os.Open(path)
	require.NoError(t, err)
	defer file.Close()

	var stages []dockerStage
	var logical strings.Builder
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if strings.HasPrefix(line, "#") || (line == "" && logical.Len() == 0) {
			continue
		}
		if continued, ok := strings.CutSuffix(line, "\\"); ok {
			logical.WriteString(continued)
			logical.WriteString(" ")
			continue
		}
		logical.WriteString(line)

		command, arguments, _ := strings.Cut(strings.TrimSpace(logical.String()), " ")
		logical.Reset()
		instruction := dockerInstruction{Command: strings.ToUpper(command), Arguments: strings.TrimSpace(arguments)}

		if instruction.Command == "FROM" {
			stages = append(stages, newDockerStage(instruction.Arguments))
			continue
		}
		require.NotEmptyf(t, stages, "%s: %s comes before the first FROM", path, instruction.Command)
		last := &stages[len(stages)-1]
		last.Instructions = append(last.Instructions, instruction)
	}
	require.NoError(t, scanner.Err())
	require.NotEmptyf(t, stages, "%s should have a FROM instruction", path)
	return stages
}

func newDockerStage(arguments string) dockerStage {
	var fields []string
	for _, field := range strings.Fields(arguments) {
		if !strings.HasPrefix(field, "--") {
			fields = append(fields, field)
		}
	}

	stage := dockerStage{Base: fields[0]}
	if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
		stage.Name = fields[2]
	}
	return stage
}

// user returns the argument of the stage's last USER instruction, or "".
func (s dockerStage) user() string {
	user := ""
	for _, instruction := range s.Instructions {
		if instruction.Command == "USER" {
			user = instruction.Arguments
		}
	}
	return user
}

// exposedPorts returns the ports of the stage's EXPOSE instructions, without
// their protocol.
func (s dockerStage) exposedPorts() []string {
	var ports []string
	for _, instruction := range s.Instructions {
		if instruction.Command != "EXPOSE" {
			continue
		}
		for _, port := range strings.Fields(instruction.Arguments) {
			port, _, _ = strings.Cut(port, "/")
			ports = append(ports, port)
		}
	}
	return ports
}

// runsAsNonRoot reports whether a container of the stage runs as a user other
// than root: by its last USER instruction, or, without one, by a base image
// whose tag names a non-root default user.
func (s dockerStage) runsAsNonRoot() bool {
	if user := s.user(); user != "" {
		name, _, _ := strings.Cut(user, ":")
		return name != "root" && name != "0"
	}
	return strings.Contains(s.Base, ":nonroot") || strings.Contains(s.Base, "-unprivileged")
}
