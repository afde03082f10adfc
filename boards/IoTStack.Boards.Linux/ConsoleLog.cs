using System.Text;

namespace IoTStack.Boards.Linux;

/// <summary>A board's status lines on standard output (the Linux program, the emulator).</summary>
public sealed class ConsoleLog : IBoardLog
{
    public void WriteLine(byte[] line, int offset, int length) => Console.WriteLine(Encoding.ASCII.GetString(line, offset, length));
}
