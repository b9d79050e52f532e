import java.io.File;
import java.util.List;
import org.omegat.core.Core;
import org.omegat.core.data.NotLoadedProject;
import org.omegat.core.data.ProjectProperties;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTBX;

/** Load a TBX file with OmegaT's own TBX reader, for a project in languages args[1] -> args[2]. */
public class ReadTbx {
    public static void main(String[] args) throws Exception {
        File dir = new File(args[3]);
        final ProjectProperties props = new ProjectProperties(dir);
        props.setSourceLanguage(args[1]);
        props.setTargetLanguage(args[2]);
        Core.setProject(new NotLoadedProject() {
            @Override
            public ProjectProperties getProjectProperties() {
                return props;
            }
        });
        List<GlossaryEntry> entries = GlossaryReaderTBX.read(new File(args[0]), false);
        for (GlossaryEntry e : entries) {
            System.out.println("ENTRY\t" + e.getSrcText() + "\t" + String.join("|", e.getLocTerms(false))
                    + "\t" + e.getCommentText().replace("\n", " / "));
        }
        System.out.println("ENTRIES " + entries.size());
    }
}
