using IoTStack.Net.Wire;

namespace IoTStack.Net.Link
{
    /// <summary>
    /// A device whose transmitted frames come back as received frames, in order, through a fixed queue
    /// of frame buffers taken at construction. The stack sends 127.0.0.0/8 and its own address through one.
    /// </summary>
    public sealed class LoopbackDevice : IFrameDevice
    {
        private readonly byte[][] _frames;
        private readonly int[] _lengths;
        private readonly MacAddress _macAddress;
        private int _head;
        private int _count;

        public LoopbackDevice(MacAddress macAddress, int queueLength)
        {
            if (queueLength < 1)
            {
                throw new System.ArgumentOutOfRangeException("queueLength", "the loopback queue needs at least one frame");
            }

            _macAddress = macAddress;
            _frames = new byte[queueLength][];
            _lengths = new int[queueLength];
            for (int i = 0; i < queueLength; i++)
            {
                _frames[i] = new byte[EthernetFrame.MaximumLength];
            }
        }

        public MacAddress MacAddress
        {
            get { return _macAddress; }
        }

        public bool IsLinkUp
        {
            get { return true; }
        }

        /// <summary>Frames waiting to come back.</summary>
        public int Queued
        {
            get { return _count; }
        }

        public int Receive(byte[] buffer, int offset, int capacity)
        {
            while (_count > 0)
            {
                int length = _lengths[_head];
                byte[] frame = _frames[_head];
                _head = (_head + 1) % _frames.Length;
                _count--;
                if (length <= capacity)
                {
                    System.Array.Copy(frame, 0, buffer, offset, length);
                    return length;
                }
            }

            return 0;
        }

        public bool Transmit(byte[] buffer, int offset, int length)
        {
            if (_count == _frames.Length || length > EthernetFrame.MaximumLength || length < 0)
            {
                return false;
            }

            int tail = (_head + _count) % _frames.Length;
            System.Array.Copy(buffer, offset, _frames[tail], 0, length);
            _lengths[tail] = length;
            _count++;
            return true;
        }
    }
}
