using NasHpo.Actors.Tests.Engine;
using NasHpo.Actors.Workloads;
using NasHpo.Training;

namespace NasHpo.Actors.Tests.Workloads;

/// <summary>
/// The engine reaches NasHpo.Training by name (it does not reference it, so its package does not drag TorchSharp in).
/// A renamed or re-typed member of StudyWorkloads would only show when a study trains; these tests show it at once.
/// </summary>
public sealed class TrainingLinkTests
{
    private const string Space = TinyConvNetSpace.Hocon;

    [Fact]
    public void A_program_that_has_NasHpo_Training_gets_its_training_workloads()
    {
        var link = TrainingLink.Find();

        Assert.NotNull(link);
        Assert.False(link.CudaAvailable(), "this build uses TorchSharp-cpu");
    }

    [Fact]
    public void A_fashion_mnist_study_becomes_the_training_workload_through_the_catalogue()
    {
        // The data is read on the first trial, not here, so no dataset is needed.
        var definition = TestEngine.Study($"problem {{ type = fashion-mnist }}\n{Space}\noptimizer {{ type = random }}\nstop {{ max-evaluations = 1 }}");

        using var workload = Assert.IsType<FashionMnistWorkload>(WorkloadCatalog.Create(definition));

        Assert.Equal(["val-error", "params"], workload.Objectives.Select(o => o.Name));
    }

    [Fact]
    public void A_study_on_a_CUDA_device_is_refused_where_TorchSharp_has_no_CUDA()
    {
        var definition = TestEngine.Study($"devices = [\"cuda:0\"]\nproblem {{ type = fashion-mnist }}\n{Space}\noptimizer {{ type = random }}\nstop {{ max-evaluations = 1 }}");

        var error = Assert.Throws<DeviceUnavailableException>(() => WorkloadCatalog.CheckDevices(definition));

        Assert.Contains("cuda:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_image_folder_is_one_dataset_error_naming_the_folder()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"nashpo-no-such-folder-{Guid.NewGuid():N}");
        var definition = TestEngine.Study($"problem {{ type = image-folder, train-dir = \"{missing}\" }}\n{Space}\noptimizer {{ type = random }}\nstop {{ max-evaluations = 1 }}");

        var error = Assert.Throws<InvalidDatasetException>(() => WorkloadCatalog.CheckData(definition));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
