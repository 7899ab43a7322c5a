import HeraldKit

await HeraldMain.run()
