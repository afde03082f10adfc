// The tests' reproducible entropy is the TLS harness's (xorshift64*, Restart for the recorded ClientHello again): one
// implementation for the tests, the cost model, the bench and the fuzz target.
global using SeededEntropy = IoTStack.TlsHarness.HarnessEntropy;
