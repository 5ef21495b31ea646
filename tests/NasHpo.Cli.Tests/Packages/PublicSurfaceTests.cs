using System.Reflection;
using System.Xml.Linq;

namespace NasHpo.Cli.Tests.Packages;

/// <summary>
/// The packed libraries' public surface, type by type and member by member, equals <c>PublicSurface.txt</c> next to
/// this file: a new public type or member (or one that became internal) is a deliberate change of that file and of
/// the README's "Public surface", not an accident of a keyword. Everything else stays internal so that the packages
/// can change it.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string SurfaceFile = Path.Combine(PackedPackages.Repository, "tests", "NasHpo.Cli.Tests", "Packages", "PublicSurface.txt");

    [Fact]
    public void The_packed_libraries_make_public_exactly_the_listed_types_and_members()
    {
        var actual = Surface(PackedPackages.LibraryIds);
        var expected = File.ReadAllLines(SurfaceFile).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();

        var added = actual.Except(expected, StringComparer.Ordinal).ToList();
        var removed = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            $"the public surface differs from {SurfaceFile} (update it, and the README's \"Public surface\", if the change is meant):\n"
            + string.Concat(added.Select(line => $"+ {line}\n")) + string.Concat(removed.Select(line => $"- {line}\n")));
    }

    [Fact]
    public void Every_library_that_is_packed_has_its_surface_pinned()
    {
        // A project is packed unless it says IsPackable false; the tool (PackAsTool) is an executable with no surface.
        var packed = Directory.GetFiles(Path.Combine(PackedPackages.Repository, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(path => (Path: path, Project: XDocument.Load(path)))
            .Where(p => Property(p.Project, "IsPackable") != "false" && Property(p.Project, "PackAsTool") != "true")
            .Select(p => Property(p.Project, "AssemblyName") ?? Path.GetFileNameWithoutExtension(p.Path))
            .Order(StringComparer.Ordinal);

        Assert.Equal(PackedPackages.LibraryIds.Order(StringComparer.Ordinal), packed);
    }

    [Fact]
    public void A_public_type_or_member_made_by_mistake_is_caught()
    {
        // The check must be able to fail: this test assembly's own public types show up as they would in a library.
        var surface = Surface(["NasHpo.Cli.Tests"]);

        Assert.Contains("NasHpo.Cli.Tests: class NasHpo.Cli.Tests.Packages.PublicSurfaceTests", surface);
        Assert.Contains("NasHpo.Cli.Tests: NasHpo.Cli.Tests.Packages.PublicSurfaceTests: method Void A_public_type_or_member_made_by_mistake_is_caught()", surface);
        Assert.DoesNotContain(surface, line => line.Contains("Surface(", StringComparison.Ordinal));
    }

    /// <summary>
    /// One line per exported type ("Assembly: kind FullName") followed by one per member a user can reach
    /// ("Assembly: FullName: kind signature"; public or protected; accessors appear as their property or event,
    /// compiler-made record members with names in angle brackets are left out), sorted so that the text does not
    /// depend on reflection's order. Every line is unique, so the comparison can work on sets.
    /// </summary>
    private static List<string> Surface(IEnumerable<string> assemblies)
    {
        var lines = new List<string>();
        foreach (var name in assemblies)
        {
            var assembly = Assembly.Load(name);
            foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                lines.Add($"{name}: {Kind(type)} {type.FullName}");
                lines.AddRange(Members(type).Order(StringComparer.Ordinal).Select(member => $"{name}: {type.FullName}: {member}"));
            }
        }

        return lines;
    }

    private static IEnumerable<string> Members(Type type)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var member in type.GetMembers(Declared).Where(m => !m.Name.StartsWith('<')))
        {
            var shown = member switch
            {
                ConstructorInfo constructor when Reachable(constructor) => $"constructor {constructor}",
                MethodInfo method when Reachable(method) && (!method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal)) => $"method {method}",
                PropertyInfo property when property.GetAccessors(nonPublic: true).Any(Reachable) =>
                    $"property {property}{(property.GetMethod is { } get && Reachable(get) ? " get" : "")}{(property.SetMethod is { } set && Reachable(set) ? " set" : "")}",
                FieldInfo field when !field.IsSpecialName && (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly) => $"field {field}",
                EventInfo e when e.AddMethod is { } add && Reachable(add) => $"event {e}",
                _ => null,
            };
            if (shown is not null)
            {
                yield return shown;
            }
        }
    }

    private static bool Reachable(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Kind(Type type) =>
        type.IsEnum ? "enum"
        : type.IsInterface ? "interface"
        : type.IsValueType ? "struct"
        : type.IsSubclassOf(typeof(Delegate)) ? "delegate"
        : type.GetMethod("<Clone>$") is not null ? "record"
        : "class";

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).Select(element => element.Value.Trim()).FirstOrDefault();
}
