namespace IoTStack.Drivers.Enc28j60
{
    /// <summary>
    /// ENC28J60 register map (Microchip DS39662E, Table 3-2) and SPI instruction set (Table 4-1). A register
    /// constant carries its 5-bit address, its bank in bits 8 and 9, <see cref="Common"/> for the five
    /// registers every bank shares, and <see cref="MacMii"/> for MAC and MII registers, whose reads return a
    /// dummy byte first (DS39662E section 4.2.1).
    /// </summary>
    public static class Enc28j60Registers
    {
        public const int Bank0 = 0x000;
        public const int Bank1 = 0x100;
        public const int Bank2 = 0x200;
        public const int Bank3 = 0x300;
        public const int Common = 0x400;
        public const int MacMii = 0x800;

        // SPI instructions (Table 4-1): opcode in the top three bits, the register address below.
        public const byte ReadControlRegister = 0x00;
        public const byte ReadBufferMemory = 0x3A;
        public const byte WriteControlRegister = 0x40;
        public const byte WriteBufferMemory = 0x7A;
        public const byte BitFieldSet = 0x80;
        public const byte BitFieldClear = 0xA0;
        public const byte SystemReset = 0xFF;

        // Common to all banks.
        public const int EIE = Common | 0x1B;
        public const int EIR = Common | 0x1C;
        public const int ESTAT = Common | 0x1D;
        public const int ECON2 = Common | 0x1E;
        public const int ECON1 = Common | 0x1F;

        // Bank 0: buffer pointers.
        public const int ERDPTL = Bank0 | 0x00;
        public const int EWRPTL = Bank0 | 0x02;
        public const int ETXSTL = Bank0 | 0x04;
        public const int ETXNDL = Bank0 | 0x06;
        public const int ERXSTL = Bank0 | 0x08;
        public const int ERXNDL = Bank0 | 0x0A;
        public const int ERXRDPTL = Bank0 | 0x0C;
        public const int ERXWRPTL = Bank0 | 0x0E;

        // Bank 1: filters and the packet count.
        public const int EHT0 = Bank1 | 0x00; // hash table, EHT0 to EHT7
        public const int ERXFCON = Bank1 | 0x18;
        public const int EPKTCNT = Bank1 | 0x19;

        // Bank 2: MAC and MII.
        public const int MACON1 = Bank2 | MacMii | 0x00;
        public const int MACON3 = Bank2 | MacMii | 0x02;
        public const int MACON4 = Bank2 | MacMii | 0x03;
        public const int MABBIPG = Bank2 | MacMii | 0x04;
        public const int MAIPGL = Bank2 | MacMii | 0x06;
        public const int MAIPGH = Bank2 | MacMii | 0x07;
        public const int MAMXFLL = Bank2 | MacMii | 0x0A;
        public const int MAMXFLH = Bank2 | MacMii | 0x0B;
        public const int MICMD = Bank2 | MacMii | 0x12;
        public const int MIREGADR = Bank2 | MacMii | 0x14;
        public const int MIWRL = Bank2 | MacMii | 0x16;
        public const int MIWRH = Bank2 | MacMii | 0x17;
        public const int MIRDL = Bank2 | MacMii | 0x18;
        public const int MIRDH = Bank2 | MacMii | 0x19;

        // Bank 3: MAC address (first byte on the wire in MAADR1) and MII status.
        public const int MAADR5 = Bank3 | MacMii | 0x00;
        public const int MAADR6 = Bank3 | MacMii | 0x01;
        public const int MAADR3 = Bank3 | MacMii | 0x02;
        public const int MAADR4 = Bank3 | MacMii | 0x03;
        public const int MAADR1 = Bank3 | MacMii | 0x04;
        public const int MAADR2 = Bank3 | MacMii | 0x05;
        public const int MISTAT = Bank3 | MacMii | 0x0A;
        public const int EREVID = Bank3 | 0x12;

        // PHY registers, through MIREGADR (section 3.3).
        public const byte PHCON1 = 0x00;
        public const byte PHSTAT1 = 0x01;
        public const byte PHID1 = 0x02;
        public const byte PHID2 = 0x03;
        public const byte PHCON2 = 0x10;
        public const byte PHSTAT2 = 0x11;
        public const byte PHIE = 0x12;
        public const byte PHIR = 0x13;
        public const byte PHLCON = 0x14;

        // Bits.
        public const byte Econ1TxReset = 0x80;
        public const byte Econ1RxReset = 0x40;
        public const byte Econ1TransmitRequest = 0x08;
        public const byte Econ1ReceiveEnable = 0x04;
        public const byte Econ1BankSelect = 0x03;
        public const byte Econ2AutoIncrement = 0x80;
        public const byte Econ2PacketDecrement = 0x40;
        public const byte Econ2VoltageRegulatorPowerSave = 0x08;
        public const byte EstatBufferError = 0x40;
        public const byte EstatLateCollision = 0x10;
        public const byte EstatTransmitAbort = 0x02;
        public const byte EstatClockReady = 0x01;
        public const byte EieInterruptEnable = 0x80; // INTIE: the flags enabled below drive the INT pin
        public const byte EiePacket = 0x40; // PKTIE
        public const byte EirPacket = 0x40;
        public const byte EirLink = 0x10;
        public const byte EirTransmit = 0x08;
        public const byte EirTransmitError = 0x02;
        public const byte EirReceiveError = 0x01;
        public const byte ErxfconUnicast = 0x80;
        public const byte ErxfconCrc = 0x20;
        public const byte ErxfconHashTable = 0x04;
        public const byte ErxfconMulticast = 0x02;
        public const byte ErxfconBroadcast = 0x01;
        public const byte Macon1ReceiveEnable = 0x01;
        public const byte Macon1RxPause = 0x04;
        public const byte Macon1TxPause = 0x08;
        public const byte Macon3Pad60 = 0x20;
        public const byte Macon3TransmitCrc = 0x10;
        public const byte Macon3FrameLengthCheck = 0x02;
        public const byte Macon3FullDuplex = 0x01;
        public const byte Macon4Defer = 0x40;
        public const byte MicmdRead = 0x01;
        public const byte MistatBusy = 0x01;
        public const int Phcon1FullDuplex = 0x0100;
        public const int Phcon2HalfDuplexLoopbackDisable = 0x0100;
        public const int Phstat2LinkStatus = 0x0400;

        /// <summary>The 8 KB buffer memory.</summary>
        public const int BufferSize = 0x2000;

        /// <summary>Receive status vector bit 23 (byte 2, bit 7): received OK (Table 7-3).</summary>
        public const int RsvReceivedOk = 0x80;

        /// <summary>Transmit status vector bit 29 (byte 3, bit 5): late collision (Table 7-1).</summary>
        public const int TsvLateCollision = 0x20;

        /// <summary>Transmit status vector bit 23 (byte 2, bit 7): transmission done.</summary>
        public const int TsvDone = 0x80;

        /// <summary>
        /// The hash table bit a destination address selects (DS39662E section 8.4, hash table filter): bits 28
        /// to 23 of the CRC-32 the MAC computes over the address, in the form that shifts the register left with
        /// polynomial 0x04C11DB7, takes the address bits in wire order (least significant bit of each byte
        /// first) and does not invert the result, as Microchip's own stack computes it.
        /// </summary>
        public static int HashBit(byte[] address, int offset)
        {
            uint crc = 0xFFFFFFFF;
            for (int i = 0; i < 6; i++)
            {
                int value = address[offset + i];
                for (int bit = 0; bit < 8; bit++)
                {
                    bool feedback = ((crc >> 31) ^ (uint)((value >> bit) & 1)) != 0;
                    crc <<= 1;
                    if (feedback)
                    {
                        crc ^= 0x04C11DB7;
                    }
                }
            }

            return (int)((crc >> 23) & 0x3F);
        }

        public static int Address(int register)
        {
            return register & 0x1F;
        }

        public static int BankOf(int register)
        {
            return (register >> 8) & 3;
        }

        public static bool IsCommon(int register)
        {
            return (register & Common) != 0;
        }

        public static bool IsMacMii(int register)
        {
            return (register & MacMii) != 0;
        }
    }
}
