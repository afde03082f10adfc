using System;
using System.Text;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>Test-vector notation: hex strings as published (spaces and line breaks ignored), repeated bytes, ASCII.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", "").Replace(":", ""));

    public static string Of(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Repeat(byte value, int count)
    {
        byte[] bytes = new byte[count];
        Array.Fill(bytes, value);
        return bytes;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
