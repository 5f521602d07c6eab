package dev.cipsec.objects.std;

/** The role of an assembly instance, which decides who may write its data. */
public enum AssemblyKind {
    /** Produced by the device (T→O); written by the application only. */
    INPUT,
    /** Consumed by the device (O→T); written by I/O connections and Set_Attribute_Single. */
    OUTPUT,
    /** Configuration data sent with Forward_Open; also settable by Set_Attribute_Single. */
    CONFIGURATION;

    /** Whether explicit messages (Set_Attribute_Single) may write the data. */
    public boolean explicitlySettable() {
        return this != INPUT;
    }
}
