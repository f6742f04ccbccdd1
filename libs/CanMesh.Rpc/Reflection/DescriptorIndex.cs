using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace CanMesh.Rpc.Reflection;

/// <summary>Which file defines each symbol, and each file by name, for the services a server announces.</summary>
internal sealed class DescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);

    public DescriptorIndex(IReadOnlyList<ServiceDescriptor> services)
    {
        ServiceNames = services.Select(s => s.FullName).ToArray();
        foreach (ServiceDescriptor service in services)
        {
            AddFile(service.File);
        }
    }

    public IReadOnlyList<string> ServiceNames { get; }

    public bool TryFindSymbol(string fullName, out FileDescriptor file) => _symbols.TryGetValue(fullName, out file!);

    public bool TryFindFile(string name, out FileDescriptor file) => _files.TryGetValue(name, out file!);

    /// <summary>The file first, then every file it imports, transitively, each once: a client needs them all to build the descriptors.</summary>
    public static IEnumerable<ByteString> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.TryPop(out FileDescriptor? current))
        {
            if (!seen.Add(current.Name))
            {
                continue;
            }

            yield return current.SerializedData;
            for (int i = current.Dependencies.Count - 1; i >= 0; i--)
            {
                pending.Push(current.Dependencies[i]);
            }
        }
    }

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (FileDescriptor dependency in file.Dependencies)
        {
            AddFile(dependency);
        }

        foreach (MessageDescriptor message in file.MessageTypes)
        {
            AddMessage(message);
        }

        foreach (EnumDescriptor enumType in file.EnumTypes)
        {
            _symbols[enumType.FullName] = file;
        }

        foreach (ServiceDescriptor service in file.Services)
        {
            _symbols[service.FullName] = file;
            foreach (MethodDescriptor method in service.Methods)
            {
                _symbols[method.FullName] = file;
            }
        }
    }

    private void AddMessage(MessageDescriptor message)
    {
        _symbols[message.FullName] = message.File;
        foreach (MessageDescriptor nested in message.NestedTypes)
        {
            AddMessage(nested);
        }

        foreach (EnumDescriptor enumType in message.EnumTypes)
        {
            _symbols[enumType.FullName] = message.File;
        }
    }
}
