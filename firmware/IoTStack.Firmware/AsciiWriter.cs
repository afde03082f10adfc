using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>Writes ASCII text and numbers into a fixed byte buffer, allocating nothing.</summary>
    public sealed class AsciiWriter
    {
        private readonly byte[] _buffer;
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

        /// <summary>Drops what was written after <paramref name="length"/> bytes (an item that did not fit whole).</summary>
        public void Truncate(int length)
        {
            _length = length;
            Fits = true;
        }

        /// <summary>A non-negative number in lower-case hexadecimal (an HTTP chunk size).</summary>
        public AsciiWriter Hex(int value)
        {
            int start = _length;
            do
            {
                int digit = value & 0xF;
                Byte((byte)(digit < 10 ? '0' + digit : 'a' + digit - 10));
                value = (int)((uint)value >> 4);
            }
            while (value != 0);
            return Reverse(start);
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

            int start = _length;
            do
            {
                Byte((byte)('0' + (int)(value % 10)));
                value /= 10;
            }
            while (value > 0);
            return Reverse(start);
        }

        /// <summary>
        /// Turns the digits written since <paramref name="start"/> (least significant first) around: in place, as a digit
        /// buffer would cost every writer a 20-byte array and a field on nanoCLR's heap.
        /// </summary>
        private AsciiWriter Reverse(int start)
        {
            for (int i = start, j = _length - 1; i < j; i++, j--)
            {
                byte digit = _buffer[i];
                _buffer[i] = _buffer[j];
                _buffer[j] = digit;
            }

            return this;
        }

        public AsciiWriter Address(IPv4Address address)
        {
            uint value = address.Value;
            Number(value >> 24).Byte((byte)'.').Number((value >> 16) & 0xFF).Byte((byte)'.').Number((value >> 8) & 0xFF).Byte((byte)'.').Number(value & 0xFF);
            return this;
        }

        /// <summary>Unix milliseconds as ISO 8601 UTC ("2026-11-24T12:00:00.000Z"), by integer arithmetic (days to civil date).</summary>
        public AsciiWriter UtcTime(long unixMilliseconds)
        {
            long days = unixMilliseconds / 86400000;
            long ms = unixMilliseconds % 86400000;
            if (ms < 0)
            {
                ms += 86400000;
                days--;
            }

            // Days since 1970-01-01 to year, month, day in the proleptic Gregorian calendar (eras of 400 years).
            long z = days + 719468;
            long era = (z >= 0 ? z : z - 146096) / 146097;
            long dayOfEra = z - era * 146097;
            long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
            long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            long monthIndex = (5 * dayOfYear + 2) / 153;
            long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
            long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
            long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
            Number(year).Byte((byte)'-');
            Padded(month, 2).Byte((byte)'-');
            Padded(day, 2).Byte((byte)'T');
            Padded(ms / 3600000, 2).Byte((byte)':');
            Padded(ms / 60000 % 60, 2).Byte((byte)':');
            Padded(ms / 1000 % 60, 2).Byte((byte)'.');
            return Padded(ms % 1000, 3).Byte((byte)'Z');
        }

        private AsciiWriter Padded(long value, int digits)
        {
            for (long limit = 10; digits > 1; digits--, limit *= 10)
            {
                if (value < limit)
                {
                    Byte((byte)'0');
                }
            }

            return Number(value);
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
