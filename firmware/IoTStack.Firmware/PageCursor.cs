namespace IoTStack.Firmware
{
    /// <summary>
    /// Where a session's status page or /stats stands between chunks: the part being written, the item within it
    /// (a socket slot, a counter), and what the page was asked with. One per session, taken at construction.
    /// </summary>
    internal sealed class PageCursor
    {
        internal bool Json;
        internal int Part;
        internal int Item;
        internal bool First;
        internal bool Done;
        internal long Requests;
        internal int Sessions;

        /// <summary>The address the request came in on, as <see cref="Net.Wire.IPv4Address.Value"/> (no struct kept).</summary>
        internal uint Address;

        private int _savedPart;
        private int _savedItem;
        private bool _savedFirst;
        private bool _savedDone;

        internal void Start(bool json, long requests, int sessions, uint address)
        {
            Json = json;
            Requests = requests;
            Sessions = sessions;
            Address = address;
            Part = 0;
            Item = 0;
            First = true;
            Done = false;
        }

        /// <summary>The item is written: on to the next.</summary>
        internal void Advance()
        {
            Item++;
        }

        /// <summary>The part is written: on to <paramref name="part"/>.</summary>
        internal void Next(int part)
        {
            Part = part;
            Item = 0;
            First = true;
        }

        internal void Finish()
        {
            Done = true;
        }

        /// <summary>The last step did not fit: back to before it, to write it first in the next chunk.</summary>
        internal void Undo()
        {
            Part = _savedPart;
            Item = _savedItem;
            First = _savedFirst;
            Done = _savedDone;
        }

        /// <summary>Remembers the state before a step, for <see cref="Undo"/>.</summary>
        internal void Save()
        {
            _savedPart = Part;
            _savedItem = Item;
            _savedFirst = First;
            _savedDone = Done;
        }
    }
}
