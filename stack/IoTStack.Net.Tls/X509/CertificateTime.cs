namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Reads the Time of a certificate's validity (RFC 5280 section 4.1.2.5) as seconds since 1970-01-01 UTC, computed
    /// from the fields: nanoFramework's DateTime has no arithmetic to lean on.
    /// </summary>
    internal static class CertificateTime
    {
        /// <summary>What <see cref="Read"/> returns for a bad time: times before 1970 are negative, so -1 is a real second.</summary>
        public const long Invalid = long.MinValue;

        /// <summary>
        /// Reads a UTCTime (YYMMDDHHMMSSZ, RFC 5280 section 4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ, section
        /// 4.1.2.5.2) at <paramref name="offset"/>; <see cref="Invalid"/> when it is neither, not in Zulu time, or names no real instant.
        /// </summary>
        public static long Read(byte[] buffer, int offset, int end, out int next)
        {
            int tag;
            int content;
            int length = Der.Read(buffer, offset, end, out tag, out content);
            next = content + length;
            int year;
            if (tag == Der.UtcTime && length == 13)
            {
                // RFC 5280 section 4.1.2.5.1: YY of 50 or more is 19YY, below 50 is 20YY.
                year = Digits(buffer, content, 2);
                year += year >= 50 ? 1900 : 2000;
                content += 2;
            }
            else if (tag == Der.GeneralizedTime && length == 15)
            {
                year = Digits(buffer, content, 4);
                content += 4;
            }
            else
            {
                return Invalid;
            }

            int month = Digits(buffer, content, 2);
            int day = Digits(buffer, content + 2, 2);
            int hour = Digits(buffer, content + 4, 2);
            int minute = Digits(buffer, content + 6, 2);
            int second = Digits(buffer, content + 8, 2);
            if (buffer[content + 10] != 'Z' || year < 0 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
            {
                return Invalid;
            }

            return DaysSinceEpoch(year, month, day) * 86400L + hour * 3600 + minute * 60 + second;
        }

        /// <summary>The decimal number in <paramref name="count"/> ASCII digits, or a negative number if one is not a digit.</summary>
        private static int Digits(byte[] buffer, int offset, int count)
        {
            int value = 0;
            for (int i = 0; i < count; i++)
            {
                int digit = buffer[offset + i] - '0';
                if (digit < 0 || digit > 9)
                {
                    return -10000;
                }

                value = value * 10 + digit;
            }

            return value;
        }

        private static int DaysInMonth(int year, int month)
        {
            if (month == 2)
            {
                return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
            }

            // 31 days in January to July for odd months, from August for even ones.
            return 30 + ((month + month / 8) & 1);
        }

        /// <summary>Days from 1970-01-01 in the proleptic Gregorian calendar, counting years from March so February is last.</summary>
        private static long DaysSinceEpoch(int year, int month, int day)
        {
            if (month <= 2)
            {
                year--;
            }

            int era = year / 400;
            int yearOfEra = year - era * 400;
            int dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
            int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            return era * 146097L + dayOfEra - 719468;
        }
    }
}
