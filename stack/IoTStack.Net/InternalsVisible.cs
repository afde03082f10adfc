// The TCP layer's parts (round-trip estimator, congestion control, scoreboard) are tested on their own, with numbers from their RFCs.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Stack.Tests")]
