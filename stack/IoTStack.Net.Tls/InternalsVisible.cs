// The RFC 8448 vectors test the key schedule and record protection below the engine (tests/Crypto.Tests/Tls).
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Crypto.Tests")]
