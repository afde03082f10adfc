namespace IoTStack.Boards
{
    /// <summary>
    /// Where a board's status lines go: the console on a desktop or a Linux board, a serial port on nanoFramework.
    /// Not Debug.WriteLine, which a Release build drops (issue 14). A line is ASCII bytes without the newline,
    /// written from the board's own buffer, so reporting allocates nothing.
    /// </summary>
    public interface IBoardLog
    {
        void WriteLine(byte[] line, int offset, int length);
    }
}
