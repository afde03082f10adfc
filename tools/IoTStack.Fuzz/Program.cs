using IoTStack.Fuzz;

// IoTStack.Fuzz TARGET            run under afl-fuzz (SharpFuzz's out-of-process mode): one input per run from stdin
// IoTStack.Fuzz TARGET --replay DIR    run every file in DIR through TARGET (what the tests do with the corpus)
// IoTStack.Fuzz --seeds PCAP... CORPUS  write the seed corpus: stack seeds from captures, chip seeds from the models,
//                                       dhcp and sntp seeds from the services' message views
// IoTStack.Fuzz --service-seeds CORPUS  write only the dhcp, sntp, mdns and mqtt seeds
// IoTStack.Fuzz --tls-seeds CORPUS SESSION  record a TLS session with SslStream: the tls seeds and the session file
if (args.Length >= 2 && args[0] == "--seeds")
{
    // IoTStack.Fuzz --seeds PCAP... CORPUS: stack seeds from the captures, chip seeds from the models
    Seeds.FromCaptures(args[1..^1], Path.Combine(args[^1], "stack"));
    Seeds.FromChipModels(args[^1]);
    Seeds.FromServiceViews(args[^1]);
    return 0;
}

if (args.Length == 2 && args[0] == "--service-seeds")
{
    // IoTStack.Fuzz --service-seeds CORPUS: only the dhcp and sntp seeds (no captures needed)
    Seeds.FromServiceViews(args[1]);
    return 0;
}

if (args.Length == 3 && args[0] == "--tls-seeds" && !OperatingSystem.IsWindows())
{
    // IoTStack.Fuzz --tls-seeds CORPUS SESSION: record a TLS 1.3 session with SslStream, write the tls seeds and the
    // session the tls target embeds (tools/IoTStack.Fuzz/tls-session.bin)
    Seeds.FromTlsSession(args[1], args[2]);
    return 0;
}

if (args.Length == 0 || Array.IndexOf(FuzzTargets.Names, args[0]) < 0)
{
    Console.Error.WriteLine($"usage: IoTStack.Fuzz ({string.Join("|", FuzzTargets.Names)}) [--replay DIR] | --seeds PCAP... DIR");
    return 2;
}

string target = args[0];
if (args.Length == 3 && args[1] == "--replay")
{
    int count = 0;
    foreach (var file in Directory.EnumerateFiles(args[2]).Order())
    {
        FuzzTargets.Run(target, File.ReadAllBytes(file));
        count++;
    }

    Console.WriteLine($"{target}: {count} inputs replayed");
    return 0;
}

SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    FuzzTargets.Run(target, memory.ToArray());
});
return 0;
