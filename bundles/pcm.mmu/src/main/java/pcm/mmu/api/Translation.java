package pcm.mmu.api;

/**
 * A successful GVA → GPA translation.
 *
 * @param gva        the linear address translated
 * @param gpa        the guest physical address it maps to
 * @param pageSize   the size of the page that maps it
 * @param writable   R/W set at every level
 * @param user       U/S set at every level
 * @param executable no level has XD set (always true when EFER.NXE is clear)
 */
public record Translation(long gva, long gpa, PageSize pageSize, boolean writable, boolean user,
                          boolean executable) {

    /** Page sizes of 4-level paging. */
    public enum PageSize {
        SIZE_4K(1L << 12), SIZE_2M(1L << 21), SIZE_1G(1L << 30);

        private final long bytes;

        PageSize(long bytes) {
            this.bytes = bytes;
        }

        public long bytes() {
            return bytes;
        }
    }

    /** Guest physical address of the start of the page. */
    public long pageBase() {
        return gpa & -pageSize.bytes();
    }
}
