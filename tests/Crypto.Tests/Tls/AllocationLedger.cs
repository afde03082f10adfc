namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// Bytes the test doubles allocate on the measuring thread (.NET's ECDH, X.509, signature checks), so a zero-allocation
/// test can subtract them and measure the engine alone.
/// </summary>
internal static class AllocationLedger
{
    [ThreadStatic]
    private static long _excluded;

    public static long Excluded => _excluded;

    public static Scope Exclude() => new Scope(GC.GetAllocatedBytesForCurrentThread());

    public readonly struct Scope(long start) : IDisposable
    {
        public void Dispose() => _excluded += GC.GetAllocatedBytesForCurrentThread() - start;
    }
}
