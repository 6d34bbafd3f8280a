package cwl.opensearch.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.ingest.common.IngestCommonPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.script.mustache.MustachePlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one real OpenSearch node for the real-engine tests, without the production bootstrap
 * (no security manager, no seccomp, runs as root), like OpenSearch's own test clusters do.
 *
 * Usage: RealEngineNode HOME. HOME holds config/opensearch.yml, config/log4j2.properties and a
 * plugins/ folder of unpacked plugin zips; the node writes the HTTP port it bound to HOME/http-port
 * once it is started, so the launcher never guesses which port of the configured range it got.
 */
public final class RealEngineNode {

  /** The distribution's modules that the project needs, loaded from the class path. */
  private static final List<Class<? extends Plugin>> MODULES = List.of(
      Netty4Plugin.class, // HTTP
      CommonAnalysisPlugin.class,
      MapperExtrasPlugin.class, // scaled_float, rank_feature, search_as_you_type
      MustachePlugin.class, // search templates, alerting messages
      PainlessPlugin.class,
      ReindexPlugin.class,
      IngestCommonPlugin.class); // ingest processors: the final pipeline that stamps event.indexed

  private RealEngineNode() {}

  public static void main(final String[] args) {
    if (args.length != 1) {
      System.err.println("usage: RealEngineNode HOME");
      System.exit(2);
    }
    try {
      run(Paths.get(args[0]).toAbsolutePath());
    } catch (final Throwable e) {
      // Without this the JVM would sit on the node's non-daemon threads after a failed start.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(final Path home) throws Exception {
    final Settings base = Settings.builder().put("path.home", home.toString()).build();
    final Environment environment = InternalSettingsPreparer.prepareEnvironment(
        base, Collections.emptyMap(), home.resolve("config"), () -> "real-engine-node");
    LogConfigurator.registerErrorListener();
    LogConfigurator.configure(environment);

    final Node node = new Node(environment, MODULES, true) {
      @Override
      protected void configureNodeAndClusterIdStateListener(final ClusterService clusterService) {
        // The production listener feeds node and cluster ids to the JSON log layout we don't use.
      }
    };
    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
        node.awaitClose(20, TimeUnit.SECONDS);
      } catch (final Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }, "real-engine-node-shutdown"));

    node.start();
    final int port = node.injector().getInstance(HttpServerTransport.class)
        .boundAddress().publishAddress().getPort();
    final Path portFile = home.resolve("http-port");
    final Path partial = home.resolve("http-port.partial");
    Files.write(partial, Integer.toString(port).getBytes(StandardCharsets.US_ASCII));
    Files.move(partial, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("real-engine-node: HTTP on 127.0.0.1:" + port);
    stopped.await();
  }
}
