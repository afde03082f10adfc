using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>Writes ASCII text and numbers into a fixed byte buffer, allocating nothing.</summary>
    public sealed class AsciiWriter
    {
        private readonly byte[] _buffer;
        private readonly byte[] _digits = new byte[20];
        private int _length;

        public AsciiWriter(byte[] buffer)
        {
            _buffer = buffer;
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        public int Length
        {
            get { return _length; }
        }

        /// <summary>False once something did not fit (the text is cut there).</summary>
        public bool Fits { get; private set; }

        public void Clear()
        {
            _length = 0;
            Fits = true;
        }

        public AsciiWriter Text(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                Byte((byte)text[i]);
            }

            return this;
        }

        public AsciiWriter Number(long value)
        {
            if (value < 0)
            {
                Byte((byte)'-');
                value = -value;
            }

            int count = 0;
            do
            {
                _digits[count++] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }
            while (value > 0);
            while (count > 0)
            {
                Byte(_digits[--count]);
            }

            return this;
        }

        public AsciiWriter Address(IPv4Address address)
        {
            uint value = address.Value;
            Number(value >> 24).Byte((byte)'.').Number((value >> 16) & 0xFF).Byte((byte)'.').Number((value >> 8) & 0xFF).Byte((byte)'.').Number(value & 0xFF);
            return this;
        }

        public AsciiWriter Byte(byte value)
        {
            if (_length < _buffer.Length)
            {
                _buffer[_length++] = value;
            }
            else
            {
                Fits = false;
            }

            return this;
        }
    }
}
