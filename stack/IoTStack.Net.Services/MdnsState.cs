namespace IoTStack.Net.Services
{
    /// <summary>Where the mDNS responder stands with its host name and its services' instance names, claimed together (RFC 6762 section 8).</summary>
    public enum MdnsState
    {
        Stopped,
        /// <summary>The interface has no address yet.</summary>
        WaitingForAddress,
        /// <summary>Asking whether anyone else holds the names (three probes, 250 ms apart).</summary>
        Probing,
        /// <summary>Telling the link the names and records are ours (two announcements, one second apart).</summary>
        Announcing,
        /// <summary>Answering queries for the names.</summary>
        Ready
    }
}
