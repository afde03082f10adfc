using System.Security.Cryptography;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>.NET's AES-GCM or ChaCha20-Poly1305 as an <see cref="IAead"/>: an independent cipher for the record-layer vectors.</summary>
internal sealed class SystemAead : IAead
{
    private readonly bool _chacha;
    private AesGcm? _aes;
    private ChaCha20Poly1305? _chachaCipher;

    public SystemAead(bool chacha, int keySize)
    {
        _chacha = chacha;
        KeySize = keySize;
    }

    public int KeySize { get; }

    public int NonceSize => 12;

    public int TagSize => 16;

    public void SetKey(byte[] key, int offset)
    {
        ReadOnlySpan<byte> k = key.AsSpan(offset, KeySize);
        if (_chacha)
        {
            _chachaCipher = new ChaCha20Poly1305(k);
        }
        else
        {
            _aes = new AesGcm(k, 16);
        }
    }

    public void Seal(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
        byte[] plaintext, int offset, int length, byte[] output, int outputOffset)
    {
        ReadOnlySpan<byte> n = nonce.AsSpan(nonceOffset, 12);
        ReadOnlySpan<byte> aad = associatedData.AsSpan(associatedOffset, associatedLength);
        Span<byte> tag = output.AsSpan(outputOffset + length, 16);
        if (_chacha)
        {
            _chachaCipher!.Encrypt(n, plaintext.AsSpan(offset, length), output.AsSpan(outputOffset, length), tag, aad);
        }
        else
        {
            _aes!.Encrypt(n, plaintext.AsSpan(offset, length), output.AsSpan(outputOffset, length), tag, aad);
        }
    }

    public bool Open(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
        byte[] ciphertext, int offset, int length, byte[] output, int outputOffset)
    {
        if (length < 16)
        {
            return false;
        }

        ReadOnlySpan<byte> n = nonce.AsSpan(nonceOffset, 12);
        ReadOnlySpan<byte> aad = associatedData.AsSpan(associatedOffset, associatedLength);
        ReadOnlySpan<byte> tag = ciphertext.AsSpan(offset + length - 16, 16);
        try
        {
            if (_chacha)
            {
                _chachaCipher!.Decrypt(n, ciphertext.AsSpan(offset, length - 16), tag, output.AsSpan(outputOffset, length - 16), aad);
            }
            else
            {
                _aes!.Decrypt(n, ciphertext.AsSpan(offset, length - 16), tag, output.AsSpan(outputOffset, length - 16), aad);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }
}
