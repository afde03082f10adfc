using IoTStack.Crypto;

namespace IoTStack.Firmware.Esp32
{
    /// <summary>
    /// The ESP32's hardware random number generator as the board's entropy source for TLS (key shares, the ClientHello
    /// random): never the stack's PRNG. nanoFramework's ESP32 build implements System.Random natively on esp_random()
    /// (nf-interpreter targets/ESP32/_nanoCLR/targetRandom.cpp: the seed is ignored, NextBytes takes the low byte of one
    /// esp_random() call per byte), so this is the one call a managed application has that reaches the generator without
    /// packages of its own. esp_random() waits between reads until the RNG has mixed in fresh samples.
    /// </summary>
    /// <remarks>
    /// Strength, honestly (ESP-IDF "Random Number Generation"; ESP32 TRM, chapter Random Number Generator): the output is
    /// true random only while a physical noise source feeds the RNG: the RF subsystem (Wi-Fi or Bluetooth started), or
    /// the SAR ADC source bootloader_random_enable() turns on, which the second-stage bootloader does only while it runs.
    /// An Ethernet-only image that never starts Wi-Fi therefore gets numbers Espressif calls pseudo-random only: the RNG's
    /// state was seeded with noise during boot, but it is not reseeded afterwards. For a board that holds long-lived secrets
    /// or must resist an attacker who can observe many handshakes, start the Wi-Fi radio (nanoFramework's Wi-Fi API, even
    /// without connecting) or use a firmware image that calls bootloader_random_enable(); neither is reachable from the
    /// packages this image uses. On any other nanoFramework target, check its targetRandom.cpp first: the fallback there is
    /// the C library's rand(), which is not cryptographic.
    /// </remarks>
    public sealed class Esp32Entropy : IEntropySource
    {
        // One managed instance, made at start; NextBytes fills a whole array, so a small block is filled and copied.
        private readonly System.Random _generator = new System.Random();
        private readonly byte[] _block = new byte[32];

        public void Fill(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                _generator.NextBytes(_block);
                int take = count < _block.Length ? count : _block.Length;
                System.Array.Copy(_block, 0, buffer, offset, take);
                offset += take;
                count -= take;
            }

            System.Array.Clear(_block, 0, _block.Length); // no copy of key material left behind
        }
    }
}
