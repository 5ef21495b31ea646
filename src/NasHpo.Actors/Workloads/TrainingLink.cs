using System.Reflection;
using NasHpo.Configuration;
using NasHpo.Core.Workloads;

namespace NasHpo.Actors.Workloads;

/// <summary>
/// The engine's way to the training workloads of NasHpo.Training (TorchSharp, about a gigabyte of native libtorch).
/// The engine does not reference that assembly, so a program that evaluates its own trials (the library) or runs
/// synthetic, tabular or command studies does not take TorchSharp along; a program that references NasHpo.Training
/// (the command line does) has it loaded here by name the first time a study trains networks.
/// </summary>
internal sealed class TrainingLink
{
    /// <summary>The assembly and type that hold the training workloads (<c>NasHpo.Training.StudyWorkloads</c>).</summary>
    internal const string AssemblyName = "NasHpo.Training";
    internal const string TypeName = "NasHpo.Training.StudyWorkloads";

    private static readonly Lazy<TrainingLink?> Loaded = new(Load);

    private TrainingLink(Func<StudyDefinition, IWorkload> create, Func<StudyDefinition, string?> prepareData, Func<bool> cudaAvailable)
    {
        Create = create;
        PrepareData = prepareData;
        CudaAvailable = cudaAvailable;
    }

    public Func<StudyDefinition, IWorkload> Create { get; }

    public Func<StudyDefinition, string?> PrepareData { get; }

    public Func<bool> CudaAvailable { get; }

    /// <summary>The training workloads, or null when this program does not have NasHpo.Training.</summary>
    public static TrainingLink? Find() => Loaded.Value;

    /// <summary>The training workloads for <paramref name="definition"/>, which trains networks.</summary>
    /// <exception cref="InvalidOperationException">This program does not have NasHpo.Training.</exception>
    public static TrainingLink Required(StudyDefinition definition) =>
        Find() ?? throw new InvalidOperationException(
            $"study.problem.type \"{definition.Problem.Type}\" trains networks with TorchSharp, which this program does not have: " +
            $"reference the {AssemblyName} package (the nashpo command line has it)");

    private static TrainingLink? Load()
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(AssemblyName);
        }
        catch (FileNotFoundException)
        {
            return null; // Not referenced: the program trains nothing.
        }

        // A renamed member is a build of mismatched versions; say so instead of pretending training is absent.
        var type = assembly.GetType(TypeName, throwOnError: true)!;
        return new TrainingLink(
            Bind<Func<StudyDefinition, IWorkload>>(type, "Create"),
            Bind<Func<StudyDefinition, string?>>(type, "PrepareData"),
            Bind<Func<bool>>(type, "CudaAvailable"));
    }

    private static T Bind<T>(Type type, string name)
        where T : Delegate =>
        (type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(type.FullName, name)).CreateDelegate<T>();
}
