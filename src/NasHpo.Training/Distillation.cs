using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace NasHpo.Training;

/// <summary>
/// Knowledge distillation (Hinton et al., 2015), how BULK &amp; CUT trains a pruned child: the loss mixes the
/// cross-entropy with the labels and the Kullback-Leibler divergence from the teacher's (the parent's) softened
/// predictions to the student's, scaled by T² so that its gradients keep their size whatever the temperature.
/// </summary>
internal sealed record Distillation(double Temperature = 4.0, double TeacherWeight = 0.5)
{
    public void Validate()
    {
        if (!(Temperature > 0) || !double.IsFinite(Temperature) || !(TeacherWeight is >= 0 and <= 1))
        {
            throw new ArgumentException($"distillation needs a positive temperature and a teacher weight in [0, 1], not {Temperature} and {TeacherWeight}");
        }
    }

    /// <summary>(1 - w) · CE(student, labels) + w · T² · KL(softmax(teacher / T) ‖ softmax(student / T)), averaged over the batch.</summary>
    public Tensor Loss(Tensor studentLogits, Tensor teacherLogits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        ArgumentNullException.ThrowIfNull(labels);
        // The operations of (1 - w) * hard + w * T * T * divergence, with Scalars kept alive until libtorch has read
        // them (ScalarArithmetic): this runs every batch while other trials train on other threads.
        var hard = cross_entropy(studentLogits, labels);
        var teacher = log_softmax(teacherLogits.detach().DividedBy(Temperature), 1);
        var student = log_softmax(studentLogits.DividedBy(Temperature), 1);
        var divergence = (teacher.exp() * (teacher - student)).sum(1).mean();
        return hard.Times(1 - TeacherWeight).Plus(divergence.Times(TeacherWeight * Temperature * Temperature));
    }
}
