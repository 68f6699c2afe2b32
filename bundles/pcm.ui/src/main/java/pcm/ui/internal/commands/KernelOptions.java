package pcm.ui.internal.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;

/**
 * pcm:run's Linux options (issue 14 item 1): --kernel, --initrd, --append, --memory, checked before anything
 * starts and written into the pcm.vm configuration (kernel, initrd, kernelCommandLine, memoryMiB); --disk, the
 * raw image of the virtio-blk device (configuration {@code pcm.devices.virtio.blk}, {@code image}).
 */
record KernelOptions(String kernel, String initrd, String append, int memoryMiB, String disk) {

    static final int DEFAULT_MEMORY_MIB = 256;
    static final int MAX_MEMORY_MIB = 3072;

    static KernelOptions check(String kernel, String initrd, String append, int memoryMiB) {
        return check(kernel, initrd, append, memoryMiB, "");
    }

    static KernelOptions check(String kernel, String initrd, String append, int memoryMiB, String disk) {
        String bad = null;
        if (kernel.isEmpty() && (!initrd.isEmpty() || !append.isEmpty())) bad = (initrd.isEmpty() ? "--append" : "--initrd") + " needs --kernel";
        else if (!kernel.isEmpty() && !Files.isReadable(Path.of(kernel))) bad = "--kernel " + kernel + ": no readable file";
        else if (!initrd.isEmpty() && !Files.isReadable(Path.of(initrd))) bad = "--initrd " + initrd + ": no readable file";
        else if (memoryMiB != 0 && (memoryMiB < 4 || memoryMiB > MAX_MEMORY_MIB)) bad = "--memory " + memoryMiB + ": 4 to " + MAX_MEMORY_MIB + " MiB";
        else if (!disk.isEmpty() && kernel.isEmpty()) bad = "--disk needs --kernel";
        else if (!disk.isEmpty() && !(Files.isRegularFile(Path.of(disk)) && Files.isReadable(Path.of(disk)) && Files.isWritable(Path.of(disk)))) {
            bad = "--disk " + disk + ": no readable and writable file (a raw disk image)";
        }
        if (bad != null) throw CommandFailure.usage(bad + ". " + RunCommand.USAGE);
        return new KernelOptions(absolute(kernel), absolute(initrd), append, memoryMiB, absolute(disk));
    }

    /** The runtime's working directory is the operator's (bin/pcm does not cd), but the VM may read the file later. */
    private static String absolute(String path) {
        return path.isEmpty() ? "" : Path.of(path).toAbsolutePath().normalize().toString();
    }

    boolean isEmpty() { return kernel.isEmpty() && memoryMiB == 0; }

    void applyTo(Dictionary<String, Object> props) {
        if (!kernel.isEmpty()) {
            props.put("kernel", kernel);
            props.put("initrd", initrd);
            props.put("kernelCommandLine", append);
        }
        if (memoryMiB != 0) props.put("memoryMiB", memoryMiB);
        else if (!kernel.isEmpty()) props.put("memoryMiB", DEFAULT_MEMORY_MIB);
    }
}
