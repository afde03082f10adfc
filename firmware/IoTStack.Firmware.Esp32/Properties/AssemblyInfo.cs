using System.Reflection;

[assembly: AssemblyTitle("IoTStack.Firmware.Esp32")]
[assembly: AssemblyDescription("IoTStack firmware for ESP32 boards with an ENC28J60 or W5500")]
[assembly: AssemblyVersion("1.0.0.0")]
