namespace IoTStack.Fuzz.Tests;

/// <summary>
/// Every seed and every kept finding, through the same targets the fuzzer drives (tools/fuzz.sh), on every test
/// run: the receive path of a running stack with open sockets and services, and each chip driver fed whatever
/// register and buffer bytes the input holds. None may throw; a hang would stop the run.
/// </summary>
public class CorpusReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    private static IEnumerable<string> Inputs(string target) =>
        new[] { "Corpus", "Regressions" }
            .Select(folder => Path.Combine(AppContext.BaseDirectory, folder, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Order();

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_and_finding_runs_through_its_target(string target)
    {
        var inputs = Inputs(target).ToArray();
        Assert.NotEmpty(inputs);
        foreach (var input in inputs)
        {
            var exception = Record.Exception(() => FuzzTargets.Run(target, File.ReadAllBytes(input)));
            Assert.True(exception is null, $"{Path.GetFileName(input)}: {exception}");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Random_inputs_seeded_for_replay_run_through_their_target(string target)
    {
        // Between fuzz runs, a few hundred inputs the fuzzer did not pick: random bytes and mutated seeds.
        var random = new Random(target.Sum(c => c)); // a stable seed: string.GetHashCode changes from run to run
        var seeds = Inputs(target).Select(File.ReadAllBytes).ToArray();
        for (int i = 0; i < 300; i++)
        {
            byte[] input;
            if (i % 2 == 0 || seeds.Length == 0)
            {
                input = new byte[random.Next(0, 2048)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Length)].Clone();
                for (int flips = random.Next(1, 16); flips > 0 && input.Length > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            var exception = Record.Exception(() => FuzzTargets.Run(target, input));
            Assert.True(exception is null, $"input {i} (seed {target}): {exception}");
        }
    }
}
