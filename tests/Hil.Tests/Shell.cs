using System.Diagnostics;

namespace IoTStack.Hil.Tests;

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>Runs Linux programs with a time limit, capturing what they print.</summary>
public static class Shell
{
    public static ProcessResult Run(string program, IEnumerable<string> arguments, int timeoutMs = 60_000, string? inputFile = null, string? outputFile = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = inputFile is not null,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> output;
        if (outputFile is not null)
        {
            // Threads of their own (LongRunning), not the pool's: a test running a dozen of these at once from pool
            // threads starved the pool on two cores, and an nc whose input waited 10 s for a thread gave up (-w 10)
            // having sent nothing.
            output = Task.Factory.StartNew(() =>
            {
                using var file = File.Create(outputFile);
                process.StandardOutput.BaseStream.CopyTo(file);
                return "";
            }, TaskCreationOptions.LongRunning);
        }
        else
        {
            output = process.StandardOutput.ReadToEndAsync();
        }

        var error = process.StandardError.ReadToEndAsync();
        if (inputFile is not null)
        {
            Task.Factory.StartNew(() =>
            {
                using (var file = File.OpenRead(inputFile))
                {
                    try
                    {
                        file.CopyTo(process.StandardInput.BaseStream);
                    }
                    catch (IOException)
                    {
                        // the program stopped reading; its exit code tells
                    }
                }

                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                }
            }, TaskCreationOptions.LongRunning);
        }

        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessResult(-1, output.Result, "timed out after " + timeoutMs + " ms\n" + error.Result);
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }

    public static ProcessResult Run(string program, params string[] arguments) => Run(program, (IEnumerable<string>)arguments);
}
