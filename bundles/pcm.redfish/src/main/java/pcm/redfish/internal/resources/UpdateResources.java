package pcm.redfish.internal.resources;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.ui.api.firmware.FirmwareImage;

/**
 * The UpdateService (DSP8010 UpdateService v1_11_0) and its FirmwareInventory (SoftwareInventory v1_10_0): PCM's
 * bundles, active ({@code Id} the symbolic name) and previous versions kept for a rollback ({@code Id}
 * {@value #PREVIOUS}{@code <symbolic name>}, {@code Status.State} StandbyOffline).
 */
public final class UpdateResources {

    public static final String SERVICE = Odata.ROOT + "/UpdateService";
    public static final String INVENTORY = SERVICE + "/FirmwareInventory";
    /** HttpPushUri: POST the jar itself, application/octet-stream. */
    public static final String PUSH = SERVICE + "/update";
    public static final String SIMPLE_UPDATE = SERVICE + "/Actions/UpdateService.SimpleUpdate";
    public static final String ROLLBACK = SERVICE + "/Actions/Oem/Pcm.Rollback";
    public static final String PREVIOUS = "Previous-";

    static final String UPDATE_SERVICE = "#UpdateService.v1_11_0.UpdateService";
    static final String INVENTORY_COLLECTION = "#SoftwareInventoryCollection.SoftwareInventoryCollection";
    static final String SOFTWARE_INVENTORY = "#SoftwareInventory.v1_10_0.SoftwareInventory";

    private UpdateResources() {}

    public static ObjectNode service(long maxImageBytes) {
        ObjectNode n = Odata.resource("UpdateService", UPDATE_SERVICE, SERVICE, "Update Service");
        n.put("Description", "PCM's bundles as firmware: push a bundle jar to HttpPushUri (application/octet-stream) to install or "
                + "update it; the version replaced is kept, Pcm.Rollback restores it");
        n.put("ServiceEnabled", true);
        n.set("Status", Odata.status("Enabled", "OK"));
        n.set("FirmwareInventory", Odata.link(INVENTORY));
        n.put("HttpPushUri", PUSH);
        n.put("MaxImageSizeBytes", maxImageBytes);
        ObjectNode actions = n.putObject("Actions");
        ObjectNode simple = actions.putObject("#UpdateService.SimpleUpdate");
        simple.put("target", SIMPLE_UPDATE);
        simple.putArray("TransferProtocol@Redfish.AllowableValues").add("FILE");
        ObjectNode rollback = actions.putObject("Oem").putObject("#Pcm.Rollback");
        rollback.put("target", ROLLBACK);
        return n;
    }

    public static String id(FirmwareImage i) {
        return i.active() ? i.symbolicName() : PREVIOUS + i.symbolicName();
    }

    public static ObjectNode inventory(List<FirmwareImage> images) {
        return Odata.collection(INVENTORY_COLLECTION, INVENTORY, "Firmware inventory",
                images.stream().map(i -> INVENTORY + "/" + id(i)).toList());
    }

    public static ObjectNode software(FirmwareImage i) {
        String id = id(i);
        ObjectNode n = Odata.resource(id, SOFTWARE_INVENTORY, INVENTORY + "/" + id, i.symbolicName() + (i.active() ? "" : " (previous)"));
        n.put("Version", i.version());
        n.put("SoftwareId", i.symbolicName());
        n.put("Updateable", i.active());
        n.put("WriteProtected", false);
        n.set("Status", Odata.status(i.active() ? (i.state().equals("ACTIVE") || i.state().equals("RESOLVED") ? "Enabled" : "Disabled")
                : "StandbyOffline", i.active() && !i.state().equals("ACTIVE") && !i.state().equals("RESOLVED") ? "Warning" : "OK"));
        ObjectNode pcm = n.putObject("Oem").putObject("Pcm");
        pcm.put("BundleId", i.bundleId());
        pcm.put("State", i.state());
        pcm.put("Location", i.location());
        if (!i.active()) pcm.put("Rollback", ROLLBACK);
        return n;
    }
}
