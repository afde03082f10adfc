// One interop test at a time: each runs an emulated board, brokers, servers and clients against real time in network
// namespaces of its own, and two of them side by side on a 2-core machine starved each other into timeouts (a slowloris
// test's real client refused, a keep-alive noticed late) that no board on its own would show.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
