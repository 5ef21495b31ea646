using NasHpo.Actors.Workloads.Command;

namespace NasHpo.Actors.Tests.Workloads;

public sealed class CommandDeviceNameTests
{
    [Theory]
    [InlineData("cpu-0", "cpu:0")]
    [InlineData("cuda-1", "cuda:1")]
    [InlineData("cuda-1@127.0.0.1:4053", "cuda:1")]
    [InlineData("cuda-0.2", "cuda:0")]
    [InlineData("cuda-3.4@10.1.2.3:4053", "cuda:3")]
    public void A_device_actor_is_named_to_the_program_as_its_gpu_whatever_its_slot_and_node(string actor, string program) =>
        Assert.Equal(program, CommandWorkload.DeviceName(actor));
}
