import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import ai.onnxruntime.OrtEnvironment;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference embeddings from langchain4j's all-MiniLM-L6-v2 (quantized) JAR, for Paperline's
 * reference test. Reads a JSON array of texts on stdin and prints one JSON object on stdout:
 *
 * <ul>
 *   <li>{@code onnxruntime}: the ONNX Runtime version it ran on;
 *   <li>{@code allMiniLmL6V2Q}: the vectors of {@link AllMiniLmL6V2QuantizedEmbeddingModel} as shipped,
 *       whose tokenizer file truncates at 128 tokens;
 *   <li>{@code maxTokens256}: the vectors of langchain4j's {@link OnnxEmbeddingModel} (mean pooling)
 *       on the same model file, with the tokenizer truncating at 256 tokens instead.
 * </ul>
 *
 * Run with {@code java -cp <the classpath set-up resolved> Reference.java}; it reads nothing from the
 * network.
 */
public class Reference {
  private static final String MODEL = "all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    List<TextSegment> texts = Arrays.stream(JSON.readValue(System.in, String[].class)).map(TextSegment::from).toList();
    Path dir = Files.createTempDirectory("paperline-reference-");
    try {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
      out.put("allMiniLmL6V2Q", vectors(new AllMiniLmL6V2QuantizedEmbeddingModel(), texts));
      Path model = copyResource(MODEL, dir);
      Path tokenizer = truncatingAt(256, copyResource(TOKENIZER, dir));
      out.put("maxTokens256", vectors(new OnnxEmbeddingModel(model, tokenizer, PoolingMode.MEAN), texts));
      JSON.writeValue(System.out, out);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(dir);
    }
    System.exit(0); // langchain4j's executor threads would keep the JVM up for another second
  }

  private static List<float[]> vectors(EmbeddingModel model, List<TextSegment> texts) {
    return model.embedAll(texts).content().stream().map(Embedding::vector).toList();
  }

  private static Path copyResource(String name, Path dir) throws Exception {
    Path target = dir.resolve(name);
    try (InputStream in = Reference.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is not on the classpath");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  private static Path truncatingAt(int maxTokens, Path tokenizerFile) throws Exception {
    ObjectNode tokenizer = (ObjectNode) JSON.readTree(tokenizerFile.toFile());
    ((ObjectNode) tokenizer.get("truncation")).put("max_length", maxTokens);
    JSON.writeValue(tokenizerFile.toFile(), tokenizer);
    return tokenizerFile;
  }
}
